/**
 * Publishing to a Pact Broker, for a provider that will never run a verifier itself: off unless
 * `PACT_BROKER_BASE_URL` is set (`PACT_BROKER_TOKEN` as a bearer token). It publishes the consumer pacts
 * (`POST /contracts/publish`), then the verification result of each (the pact's
 * `pb:publish-verification-results` link), with a provider version that names what was verified — the
 * target and the provider's document version, never this tool's commit — and, for a target other than the
 * embedded mock, records that version as deployed to the broker's `sandbox` environment where the broker
 * has one, so integrators can ask `can-i-deploy` before a release.
 *
 * A verification with skipped interactions is never published as a success: it is not published at all
 * (the broker then knows the pact as unverified, which `can-i-deploy` refuses).
 */
import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { DEFAULT_LIMITS } from '../config/env.ts';
import { type Catalogue, catalogue as shipped } from '../spec/catalogue.ts';
import type { Provider } from '../spec/registry.ts';
import { createDispatcher } from '../wire/dispatcher.ts';
import { CardConformanceError, EXIT } from '../wire/errors.ts';
import { undici } from '../wire/undici.ts';
import type { InteractionResult } from './verify.ts';

export const BROKER_VARIABLES = {
  url: 'PACT_BROKER_BASE_URL',
  token: 'PACT_BROKER_TOKEN',
  providerVersion: 'PACT_PROVIDER_VERSION',
  consumerVersion: 'PACT_CONSUMER_VERSION',
} as const;
/** The broker environment a verified sandbox is recorded in. */
export const BROKER_ENVIRONMENT = 'sandbox';

/** The broker refused or could not be reached: one line, no token. */
export class BrokerError extends CardConformanceError {
  override name = 'BrokerError';
  readonly exitCode = EXIT.untestable;
}

/** The provider's document version: a hash of its rules as the catalogue holds them (ids, levels, checks). */
export function specVersion(provider: Provider, cat: Catalogue = shipped()): string {
  const rules = cat.rules.filter((r) => r.provider === provider).map((r) => [r.id, r.level, r.check]);
  return createHash('sha256').update(JSON.stringify(rules)).digest('hex').slice(0, 8);
}

/** What the target is called in a version: the profile's host names it sandbox or production, else its host. */
export function targetLabel(provider: Provider, baseUrl: string | undefined, cat: Catalogue = shipped()): string {
  if (baseUrl === undefined) return 'embedded-mock';
  const host = new URL(baseUrl).host;
  const hosts = cat.profiles[provider].hosts;
  if (host === new URL(hosts.sandbox).host) return 'sandbox';
  if (host === new URL(hosts.production).host) return 'production';
  return host.replace(/[^A-Za-z0-9.-]/g, '-');
}

/** `<provider>-<target>+<spec-version>.<yyyymmdd>`, or `PACT_PROVIDER_VERSION`. */
export function providerVersion(provider: Provider, baseUrl: string | undefined, now: Date, env: NodeJS.ProcessEnv = process.env): string {
  const given = env[BROKER_VARIABLES.providerVersion];
  if (given) return given;
  const day = now.toISOString().slice(0, 10).replace(/-/g, '');
  return `${provider}-${targetLabel(provider, baseUrl)}+${specVersion(provider)}.${day}`;
}

export interface PublishInput {
  brokerUrl: string;
  token?: string;
  /** The pact files' text, as committed. */
  pacts: Array<{ consumer: string; provider: string; content: string }>;
  consumerVersion?: string;
  providerVersion: string;
  results: InteractionResult[];
  /** Record the provider version as deployed to `sandbox` (not for the embedded mock). */
  recordDeployment: boolean;
  out: (line: string) => void;
}

let brokerDispatcher: Dispatcher | undefined;

export async function publish(input: PublishInput): Promise<void> {
  const base = input.brokerUrl.replace(/\/+$/, '');
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/hal+json, application/json',
    ...(input.token ? { authorization: `Bearer ${input.token}` } : {}),
  };
  // the same proxy-aware route as every target request (src/wire/dispatcher.ts), living as long as undici's global one
  brokerDispatcher ??= createDispatcher(DEFAULT_LIMITS);
  const dispatcher = brokerDispatcher;
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const url = path.startsWith('http') ? path : `${base}${path}`;
    let res: Awaited<ReturnType<ReturnType<typeof undici>['request']>>;
    try {
      res = await undici().request(url, { method, headers, dispatcher, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (err) {
      throw new BrokerError(`the Pact Broker at ${new URL(base).origin} cannot be reached (${(err as { code?: string }).code ?? 'error'})`);
    }
    const text = await res.body.text();
    if (res.statusCode >= 400)
      throw new BrokerError(`the Pact Broker answered HTTP ${res.statusCode} to ${method} ${new URL(url).pathname}`);
    try {
      return text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  };
  const skipped = input.results.filter((r) => r.verdict === 'skipped');
  const success = input.results.every((r) => r.verdict === 'pass');
  for (const pact of input.pacts) {
    const consumerVersion = input.consumerVersion ?? createHash('sha256').update(pact.content).digest('hex').slice(0, 12);
    await call('POST', '/contracts/publish', {
      pacticipantName: pact.consumer,
      pacticipantVersionNumber: consumerVersion,
      contracts: [
        {
          consumerName: pact.consumer,
          providerName: pact.provider,
          specification: 'pact',
          contentType: 'application/json',
          content: Buffer.from(pact.content).toString('base64'),
        },
      ],
    });
    input.out(`broker: published the pact ${pact.consumer} → ${pact.provider} (consumer version ${consumerVersion})\n`);
    if (skipped.length > 0) {
      input.out(`broker: verification not published: ${skipped.length} interactions were skipped (never published as a success)\n`);
      continue;
    }
    const e = (s: string) => encodeURIComponent(s);
    const got = await call('GET', `/pacts/provider/${e(pact.provider)}/consumer/${e(pact.consumer)}/version/${e(consumerVersion)}`);
    const link = (got['_links'] as Record<string, { href?: string }> | undefined)?.['pb:publish-verification-results']?.href;
    if (!link) throw new BrokerError('the Pact Broker gave no pb:publish-verification-results link for the published pact');
    await call('POST', link, {
      success,
      providerApplicationVersion: input.providerVersion,
      verifiedBy: { implementation: 'card-conformance verify-pacts', version: '1' },
      testResults: input.results.map((r) => ({
        interactionDescription: r.description,
        success: r.verdict === 'pass',
        ...(r.verdict === 'pass'
          ? {}
          : { mismatches: r.mismatches.map((m) => ({ attribute: 'body', identifier: m.path, description: m.message })) }),
      })),
    });
    input.out(`broker: published the verification of ${pact.provider} ${input.providerVersion}: ${success ? 'success' : 'failure'}\n`);
  }
  if (!input.recordDeployment) return;
  const provider = input.pacts[0]?.provider;
  if (!provider) return;
  const envs = await call('GET', '/environments');
  const list = ((envs['_embedded'] as Record<string, unknown> | undefined)?.['environments'] ?? []) as Array<{
    name?: string;
    uuid?: string;
  }>;
  const sandbox = list.find((x) => x.name === BROKER_ENVIRONMENT);
  if (!sandbox?.uuid) {
    input.out(`broker: no "${BROKER_ENVIRONMENT}" environment on the broker: deployment not recorded\n`);
    return;
  }
  const e = encodeURIComponent;
  await call(
    'POST',
    `/pacticipants/${e(provider)}/versions/${e(input.providerVersion)}/deployed-versions/environment/${e(sandbox.uuid)}`,
    {},
  );
  input.out(`broker: recorded ${provider} ${input.providerVersion} as deployed to ${BROKER_ENVIRONMENT}\n`);
}
