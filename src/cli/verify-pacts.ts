/**
 * `card-conformance verify-pacts [--provider alchemy|gep|all] [--base-url URL] [--pact-dir DIR]
 * [--report-dir DIR] [--deviate NAME]...`: the Pact verifier replays the pacts through the codec proxy
 * against the target — the embedded mock (its admin surface sets the provider states) unless a base URL
 * is given — and the results go into `conformance.json` per rule id. Exit codes as `run`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Dispatcher } from 'undici';
import { createAlchemyClient } from '../client/alchemy.ts';
import { createGepClient } from '../client/gep.ts';
import { baseUrlVariable, completeTarget, DEFAULT_LIMITS, httpUrlProblem, loadConfig, parseHttpUrl, type Targets } from '../config/env.ts';
import { ConfigError } from '../config/errors.ts';
import { guardEarly, targetKinds } from '../config/target-kind.ts';
import type { Control, SessionSummary } from '../conformance/session.ts';
import { readSettings } from '../conformance/settings.ts';
import { resolveDeviations } from '../mock/deviations.ts';
import { mockKeysFromEnv } from '../mock/env.ts';
import { type RunningMock, startMock } from '../mock/server.ts';
import { BROKER_VARIABLES, providerVersion, publish } from '../pact/broker.ts';
import { PACT_DIR, providerName } from '../pact/consumer.ts';
import { OPEN_OPERATION } from '../pact/examples.ts';
import { tryPlain } from '../pact/plain.ts';
import { startCodecProxy } from '../pact/proxy.ts';
import type { StateContext } from '../pact/states.ts';
import { type InteractionResult, readPact, verifyPacts } from '../pact/verify.ts';
import { summaryText } from '../report/conformance.ts';
import { buildPactReport, earlierReport } from '../report/pact.ts';
import { writeReports } from '../report/write.ts';
import { catalogue } from '../spec/catalogue.ts';
import { todayIn } from '../spec/evaluate.ts';
import { PROVIDERS, type Provider } from '../spec/registry.ts';
import { createDispatcher } from '../wire/dispatcher.ts';
import { EXIT } from '../wire/errors.ts';
import { createTransport } from '../wire/http.ts';
import { createRedactor } from '../wire/redact.ts';
import { undici } from '../wire/undici.ts';
import {
  ALL,
  type CommandSpec,
  helpText,
  oneOf,
  PROVIDER_CHOICES,
  parse,
  SPEC_VERSION_OPTION,
  UsageError,
  useSpecVersions,
} from './args.ts';
import { checkWritableDir } from './run.ts';
import { EMBEDDED_TIME_SCALE, kindLabel, TARGET_OPTIONS, targetRequest } from './target.ts';

export const VERIFY_PACTS = {
  name: 'verify-pacts',
  positionals: '',
  summary: [
    'verify the Pact contracts against a provider through the codec proxy (the embedded mock without a base URL)',
    'replays every interaction of the pact files with the real Pact verifier; provider states are set on the',
    "embedded mock's admin surface, and an interaction whose state a target cannot be put in is skipped with the",
    'reason; the verdicts go into conformance.json per rule id. Publishes to a Pact Broker when PACT_BROKER_BASE_URL is set',
  ].join('\n'),
  options: {
    ...SPEC_VERSION_OPTION,
    provider: { type: 'string', arg: PROVIDER_CHOICES.join('|'), default: ALL, help: 'which provider to verify' },
    'base-url': {
      type: 'string',
      arg: 'URL',
      default: '<PROVIDER>_BASE_URL, else the embedded mock',
      help: 'the target of every provider verified',
    },
    'pact-dir': { type: 'string', arg: 'DIR', default: 'contracts/pacts', help: 'where the pact files are' },
    'report-dir': {
      type: 'string',
      arg: 'DIR',
      default: 'reports',
      help: 'where conformance.json is written (merged with a run of the same target)',
    },
    deviate: { type: 'string', multiple: true, arg: 'NAME', help: 'switch a deviation on in the embedded mock; repeatable' },
    ...TARGET_OPTIONS,
  },
  exits: [
    [EXIT.ok, 'every replayed interaction passed'],
    [EXIT.failed, 'a rule failed (the interaction and the rule id are named)'],
    [EXIT.usage, 'usage or configuration error, or no pact for a provider'],
    [EXIT.untestable, 'the target could not be tested (or the broker refused)'],
  ],
  example: 'card-conformance verify-pacts --provider gep --pact-dir contracts/pacts',
} as const satisfies CommandSpec;

/** The pact files of a provider in `dir` (by the provider name inside them). */
function pactFilesFor(dir: string, provider: Provider): string[] {
  if (!existsSync(dir)) throw new UsageError(`--pact-dir ${dir} does not exist`);
  const name = providerName(provider);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(dir, f))
    .filter((f) => {
      try {
        return readPact(f).provider?.name === name && Array.isArray(readPact(f).interactions);
      } catch {
        return false;
      }
    });
}

let adminDispatcher: Dispatcher | undefined;

/** The target's admin surface, when it is a card-conformance mock started with --admin. */
async function adminSurface(baseUrl: string): Promise<string | undefined> {
  try {
    // the target's host: the same proxy-aware route as its requests
    adminDispatcher ??= createDispatcher(DEFAULT_LIMITS);
    const res = await undici().request(`${baseUrl.replace(/\/+$/, '')}/__mock/state`, {
      method: 'POST',
      body: '{}',
      dispatcher: adminDispatcher,
      signal: AbortSignal.timeout(3000),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) return undefined;
    const body = JSON.parse(text) as Record<string, unknown>;
    return body['alchemy'] !== undefined && body['gep'] !== undefined ? baseUrl.replace(/\/+$/, '') : undefined;
  } catch {
    return undefined;
  }
}

const mark = { pass: '✓', fail: '✗', skipped: '-', error: '!' } as const;
const title = (d: string) => d.replace(/\s*\[[^\]]*\]\s*$/, '');

export async function verifyPactsCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const started = new Date();
  const t0 = performance.now();
  const { values, positionals } = parse(argv, VERIFY_PACTS);
  if (values.help) {
    out(helpText(VERIFY_PACTS));
    return EXIT.ok;
  }
  useSpecVersions(values['spec-version']);
  if (positionals.length) throw new UsageError(`verify-pacts takes no arguments (got "${positionals[0]}")`);
  const choice = oneOf('provider', values.provider, PROVIDER_CHOICES, ALL);
  const providers: Provider[] = choice === ALL ? [...PROVIDERS] : [choice];
  const env = process.env;
  const deviations = values.deviate ?? [];
  resolveDeviations(deviations);
  const baseFlag = values['base-url'] === undefined ? undefined : parseHttpUrl('--base-url', values['base-url']);
  const req = targetRequest(values, env, baseFlag ? '--base-url' : undefined);
  guardEarly(providers, env, req, baseFlag);
  const config = loadConfig(env);
  const settings = { ...readSettings(env), providers, deviate: deviations };
  const brokerUrl = env[BROKER_VARIABLES.url];
  if (brokerUrl) {
    const problem = httpUrlProblem(brokerUrl);
    if (problem) throw new ConfigError(BROKER_VARIABLES.url, problem);
  }
  const pactDir = resolve(values['pact-dir'] ?? PACT_DIR);
  const files = Object.fromEntries(providers.map((p) => [p, pactFilesFor(pactDir, p)])) as Record<Provider, string[]>;
  for (const p of providers)
    if (files[p].length === 0) throw new UsageError(`no pact for ${p} (provider "${providerName(p)}") in ${pactDir}`);
  const reportDir = resolve(values['report-dir'] ?? VERIFY_PACTS.options['report-dir'].default);
  checkWritableDir(reportDir);

  const kinds = targetKinds(providers, Object.fromEntries(providers.map((p) => [p, baseFlag ?? config[p].target?.baseUrl])), env, req);
  const targets: Partial<{ [P in Provider]: Targets[P] }> = {};
  for (const p of providers) {
    if (baseFlag) targets[p] = completeTarget(p, config[p].credentials, baseFlag, '--base-url is given') as never;
    else if (config[p].target) targets[p] = config[p].target as never;
  }
  if (deviations.length && providers.every((p) => targets[p]))
    throw new UsageError('--deviate switches the embedded mock, but every provider has a base URL');
  let mock: RunningMock | undefined;
  const secrets = [...config.secrets, ...(env[BROKER_VARIABLES.token] ? [env[BROKER_VARIABLES.token]!] : [])];
  if (providers.some((p) => !targets[p])) {
    mock = await startMock({ timeScale: EMBEDDED_TIME_SCALE, admin: true, deviations, keys: mockKeysFromEnv(env) });
    secrets.push(mock.client.alchemy.secretKey);
  }
  const redactor = createRedactor({ secrets });
  const results: InteractionResult[] = [];
  const control: SessionSummary['control'] = {};
  const target: SessionSummary['target'] = {};
  const problems: string[] = [];
  let counter = 0;
  const run = `p${Date.now().toString(36)}`;
  try {
    for (const p of providers) {
      const embedded = !targets[p];
      const t = (targets[p] ?? embeddedTarget(p, mock!)) as Targets[typeof p];
      target[p] = { url: t.baseUrl, embedded, kind: kinds[p] };
      const transport = createTransport(config.limits);
      const clients = { transport, retries: config.limits.retries, rideOutMs: config.limits.rideOutMs, redactor };
      const adminUrl = embedded ? mock!.url : await adminSurface(t.baseUrl);
      const states: StateContext = {
        provider: p,
        ...(adminUrl ? { adminUrl } : {}),
        ...(p === 'alchemy'
          ? { alchemy: createAlchemyClient(t as Targets['alchemy'], clients) }
          : { gep: createGepClient(t as Targets['gep'], clients) }),
        today: () => todayIn(catalogue().profiles[p].timeZone, new Date()),
        unique: () => `${run}${(counter++).toString(36)}`,
      };
      out(
        `card-conformance verify-pacts: ${p} against ${embedded ? 'the EMBEDDED MOCK' : `${kindLabel(kinds[p])} ${t.baseUrl}`} through the codec proxy\n`,
      );
      const proxy = await startCodecProxy({ provider: p, target: t as never, limits: config.limits, redactor });
      let own: InteractionResult[];
      try {
        own = await verifyPacts({ provider: p, pactFiles: files[p], proxyUrl: proxy.url, states, embedded });
        // an interaction whose state this target cannot be put in is tried as the plain request where it has one
        if (!embedded) own = await Promise.all(own.map(async (r) => (await tryPlain(r, states, redactor)) ?? r));
      } finally {
        await proxy.close();
        await transport.close();
      }
      control[p] = controlOf(p, own, proxy.exchanges);
      if (!control[p].ok) {
        problems.push(`${p}: ${control[p].reason}`);
        own = own.map((r) =>
          r.verdict === 'fail' ? { ...r, verdict: 'error', reason: `the target could not be tested: ${control[p]!.reason}` } : r,
        );
      }
      results.push(...own);
      for (const r of own) {
        const why =
          r.verdict === 'fail'
            ? ` — fails ${r.failed.join(', ')}: ${r.mismatches[0]?.path ?? ''} ${r.mismatches[0]?.message ?? ''}`
            : r.reason
              ? ` — ${r.reason}`
              : '';
        out(redactor.text(`  ${mark[r.verdict]} ${r.verdict.padEnd(7)} ${p} ${title(r.description)}${why}`).slice(0, 400) + '\n');
      }
    }
  } finally {
    await mock?.close();
  }
  const session: SessionSummary = { settings, target, control };
  const earlierOne = earlierReport(reportDir, target);
  const report = buildPactReport({
    results,
    providers,
    session,
    problems: problems.map((x) => redactor.text(x)),
    startedAt: started,
    durationMs: performance.now() - t0,
    ...(earlierOne ? { earlier: earlierOne } : {}),
  });
  const path = writeReports(reportDir, report, secrets).json;
  out(summaryText(report, path));
  if (brokerUrl) {
    for (const p of providers) {
      const own = results.filter((r) => r.provider === p);
      await publish({
        brokerUrl,
        ...(env[BROKER_VARIABLES.token] ? { token: env[BROKER_VARIABLES.token] } : {}),
        pacts: files[p].map((f) => {
          const pact = readPact(f);
          return { consumer: pact.consumer.name, provider: pact.provider.name, content: readFileSync(f, 'utf8') };
        }),
        ...(env[BROKER_VARIABLES.consumerVersion] ? { consumerVersion: env[BROKER_VARIABLES.consumerVersion] } : {}),
        providerVersion: providerVersion(p, target[p]?.embedded ? undefined : target[p]?.url, started, env),
        results: own,
        recordDeployment: !target[p]?.embedded,
        out,
      });
    }
  }
  return report.exitCode;
}

/** The client side of the embedded mock's keys for `provider`. */
function embeddedTarget(p: Provider, mock: RunningMock): Targets[Provider] {
  if (p === 'alchemy') return { baseUrl: mock.url, ...mock.client.alchemy };
  const g = mock.client.gep;
  if (!g) throw new ConfigError(baseUrlVariable('gep'), 'not set, and the MOCK_GEP_* keys leave the embedded mock without a client key');
  return {
    baseUrl: mock.url,
    userNo: g.userNo,
    certificateId: g.certificateId,
    merchantPrivateKey: g.merchantPrivateKey,
    platformPublicKey: g.platformPublicKey,
  };
}

/**
 * The positive control, as `run` has it: a valid request was accepted. Where no valid-request interaction
 * was replayed (its state could not be set), a readable answer is enough to say the target could be tested.
 */
function controlOf(
  p: Provider,
  results: InteractionResult[],
  exchanges: { operation: string; accepted: boolean; readable: boolean; problem?: string }[],
): Control {
  const open = OPEN_OPERATION[p];
  const accepts = catalogue()
    .rulesFor(p, open)
    .find((r) => r.check.kind === 'acceptsValid')!.id;
  const happyRan = results.some((r) => r.verdict !== 'skipped' && r.ruleIds.includes(accepts));
  // a plain try that judged an interaction had its apply accepted, outside the proxy
  const accepted = exchanges.filter((e) => e.operation === open && e.accepted).length + results.filter((r) => r.plain).length;
  const ok = exchanges.length === 0 || accepted > 0 || (!happyRan && exchanges.some((e) => e.readable));
  const problem = exchanges.find((e) => e.problem)?.problem;
  return {
    ok,
    accepted,
    sent: exchanges.length,
    ...(ok ? {} : { reason: problem ?? 'no valid request was accepted' }),
  };
}
