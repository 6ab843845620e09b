/**
 * What a run is pointed at, said truthfully (issue 15): the embedded mock, a sandbox, or a production
 * host. A missing `<PROVIDER>_BASE_URL` under `--target sandbox` is a configuration error, never a quiet
 * fall-back to the embedded mock; a base URL on a production host (the profile's `hosts.production`, any
 * host under its `productionDomains` but its sandbox hosts, plus any listed in
 * `CARD_CONFORMANCE_PRODUCTION_HOSTS`) is refused unless `--allow-production`.
 *
 * `run`, `call`, `verify-pacts` and `proxy` all decide through `targetKinds` / `guardUrl`, so a target
 * refused by one is refused by all. Every refusal is one `ConfigError` line naming the variable or flag.
 */
import { catalogue } from '../spec/catalogue.ts';
import type { Provider } from '../spec/registry.ts';
import { ConfigError } from './errors.ts';

/**
 * Provider time per real time of the embedded mock (runs, `call`, pact verification): GEP's "1 to 5
 * minutes" pass in 60–300 ms, Alchemy's 5-second lifecycle steps in 5 ms (the 3-ms polls still see each).
 */
export const EMBEDDED_TIME_SCALE = 0.001;

/** The variable naming a provider's base URL. */
export const baseUrlVariable = (provider: Provider): string => `${provider.toUpperCase()}_BASE_URL`;

/** What `report.target[provider].kind` says. */
export const TARGET_KINDS = ['mock', 'sandbox', 'production'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

/** What `--target` accepts: production is never asked for by name, only allowed (`--allow-production`). */
export const TARGET_CHOICES = ['mock', 'sandbox'] as const;
export type TargetChoice = (typeof TARGET_CHOICES)[number];

export const TARGET_VARIABLES = {
  /** `mock` or `sandbox` (run/call/verify-pacts --target); unset: the embedded mock where no base URL is set. */
  target: 'CARD_CONFORMANCE_TARGET',
  /** `1`/`true`/`yes` lets a base URL on a production host through (--allow-production). */
  allowProduction: 'CARD_CONFORMANCE_ALLOW_PRODUCTION',
  /** Extra production hosts, comma-separated host names or URLs, on top of the profiles' own. */
  productionHosts: 'CARD_CONFORMANCE_PRODUCTION_HOSTS',
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/** `--target` (wins) or CARD_CONFORMANCE_TARGET; undefined when neither is given. */
export function targetChoice(env: Env, flag?: string): TargetChoice | undefined {
  const [name, v] = flag !== undefined ? ['--target', flag] : [TARGET_VARIABLES.target, env[TARGET_VARIABLES.target]?.trim()];
  if (v === undefined || v === '') return undefined;
  if (!(TARGET_CHOICES as readonly string[]).includes(v)) throw new ConfigError(name, `must be one of ${TARGET_CHOICES.join(', ')}`);
  return v as TargetChoice;
}

/** `--allow-production` (wins when given) or CARD_CONFORMANCE_ALLOW_PRODUCTION. */
export function allowProduction(env: Env, flag?: boolean): boolean {
  if (flag) return true;
  const v = env[TARGET_VARIABLES.allowProduction]?.trim().toLowerCase();
  if (v === undefined || v === '' || v === '0' || v === 'false' || v === 'no') return false;
  if (v === '1' || v === 'true' || v === 'yes') return true;
  throw new ConfigError(TARGET_VARIABLES.allowProduction, 'must be 1, true or yes (or 0, false, no)');
}

/** A host name as compared: lower case, without the root's trailing dot (`card-api.alchemypay.org.` is the same host). */
export const normalHost = (host: string): string => host.trim().toLowerCase().replace(/\.+$/, '');

export interface ProductionHost {
  host: string;
  /** Where the entry came from: `alchemy profile` or the variable. */
  origin: string;
}

/** The production hosts: each profile's `hosts.production`, then CARD_CONFORMANCE_PRODUCTION_HOSTS (host names or URLs). */
export function productionHosts(env: Env): ProductionHost[] {
  const cat = catalogue();
  const out: ProductionHost[] = (Object.keys(cat.profiles) as Provider[]).map((p) => ({
    host: normalHost(new URL(cat.profiles[p].hosts.production).hostname),
    origin: `${p} profile`,
  }));
  const listed = env[TARGET_VARIABLES.productionHosts] ?? '';
  for (const raw of listed.split(',').map((s) => s.trim())) {
    if (raw === '') continue;
    const url =
      URL.canParse(raw) && /^[a-z][a-z0-9+.-]*:\/\//i.test(raw)
        ? new URL(raw)
        : URL.canParse(`https://${raw}`)
          ? new URL(`https://${raw}`)
          : undefined;
    if (!url || url.hostname === '' || (url.pathname !== '/' && url.pathname !== '') || url.search || url.username)
      throw new ConfigError(
        TARGET_VARIABLES.productionHosts,
        'must be comma-separated host names or base URLs (e.g. api.example.com,https://pay.example.com)',
      );
    out.push({ host: normalHost(url.hostname), origin: TARGET_VARIABLES.productionHosts });
  }
  return out;
}

/** `host` is `domain` or a host below it (`api.alchemypay.org` under `alchemypay.org`; not `notalchemypay.org`). */
const under = (host: string, domain: string) => host === domain || host.endsWith(`.${domain}`);

/**
 * The production entry `url`'s host matches, if any: a listed production host, or any host under a
 * provider's production domains (the profile's data) that is not on that provider's sandbox list.
 */
export function productionHostOf(url: string, env: Env): ProductionHost | undefined {
  const host = normalHost(new URL(url).hostname);
  const listed = productionHosts(env).find((h) => h.host === host);
  if (listed) return listed;
  const cat = catalogue();
  for (const p of Object.keys(cat.profiles) as Provider[]) {
    const hosts = cat.profiles[p].hosts;
    const sandboxes = [new URL(hosts.sandbox).hostname, ...(hosts.sandboxHosts ?? [])].map(normalHost);
    if (sandboxes.includes(host)) continue;
    const domain = hosts.productionDomains.find((d) => under(host, normalHost(d)));
    if (domain) return { host, origin: `${p} profile: under its production domain ${domain}, and not its sandbox` };
  }
  return undefined;
}

/**
 * The kind of one base URL (`undefined`: the embedded mock). A production host without permission is a
 * `ConfigError` naming `variable` (where the URL came from) and the host, which is not a secret.
 */
export function guardUrl(url: string | undefined, variable: string, env: Env, allow: boolean): TargetKind {
  if (url === undefined) return 'mock';
  const prod = productionHostOf(url, env);
  if (!prod) return 'sandbox';
  if (!allow)
    throw new ConfigError(
      variable,
      `${prod.host} is a production host (${prod.origin}): refused without --allow-production (or ${TARGET_VARIABLES.allowProduction}=1)`,
    );
  return 'production';
}

export interface TargetRequest {
  /** `--target` / CARD_CONFORMANCE_TARGET, already read. */
  choice: TargetChoice | undefined;
  allowProduction: boolean;
  /** Where a base URL came from when not from `<PROVIDER>_BASE_URL` (e.g. `--base-url`). */
  urlSource?: string;
}

/**
 * Each provider's kind, checked against `--target`: under `sandbox` every provider needs its base URL
 * (the missing variable is named; missing keys are `loadConfig`'s error already), under `mock` none may
 * have one. `urls`: each provider's base URL as configured (undefined: none).
 */
export function targetKinds<P extends Provider>(
  providers: readonly P[],
  urls: Readonly<Partial<Record<P, string>>>,
  env: Env,
  req: TargetRequest,
): Record<P, TargetKind> {
  const kinds = {} as Record<P, TargetKind>;
  for (const p of providers) {
    const url = urls[p];
    const variable = req.urlSource ?? baseUrlVariable(p);
    if (req.choice === 'sandbox' && url === undefined)
      throw new ConfigError(
        baseUrlVariable(p),
        `not set: required with --target sandbox (${TARGET_VARIABLES.target}); never the embedded mock`,
      );
    if (req.choice === 'mock' && url !== undefined)
      throw new ConfigError(
        variable,
        `is set, but --target mock (${TARGET_VARIABLES.target}) tests the embedded mock: unset it or use --target sandbox`,
      );
    kinds[p] = guardUrl(url, variable, env, req.allowProduction);
  }
  return kinds;
}

/** The loud name of a kind, for first lines. */
export const kindLabel = (kind: TargetKind | undefined): string =>
  kind === 'production' ? 'PRODUCTION' : kind === 'sandbox' ? 'sandbox' : 'EMBEDDED MOCK';

/**
 * Whether `url` names this machine by its host alone (no lookup): `localhost` and `*.localhost` (with or
 * without the root's trailing dot), 127.0.0.0/8, `::1` and IPv4-mapped loopback. A provider there can
 * POST to the suite's receiver on 127.0.0.1; any other can only through ALCHEMY_CALLBACK_URL.
 */
export function isLoopbackUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const raw = new URL(url).hostname.toLowerCase();
  const host = raw.startsWith('[') ? raw.slice(1, -1) : normalHost(raw);
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  // WHATWG URL parsing already turned 127.1, 0x7f.1 and the like into dotted decimal
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  const mapped = /^::ffff:(.+)$/.exec(host)?.[1];
  if (mapped) return /^127\./.test(mapped) || /^7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(mapped);
  return false;
}

/**
 * The production guard and `--target mock` before anything else is read: the `--base-url` flag (`urlSource`), else each
 * provider's `<PROVIDER>_BASE_URL` in `env`, so a production host is refused even when its keys are
 * missing too (the host is the more important line). Unparseable URLs are left to `loadConfig`.
 */
export function guardEarly(providers: readonly Provider[], env: Env, req: TargetRequest, flagUrl?: string): void {
  for (const p of providers) {
    const url = flagUrl ?? env[baseUrlVariable(p)]?.trim();
    if (!url || !URL.canParse(url)) continue;
    // `--target mock` with a URL, and a production host; a missing URL under `sandbox` waits for `.env`
    const choice = req.choice === 'mock' ? req.choice : undefined;
    const urlSource = flagUrl !== undefined ? (req.urlSource ?? '--base-url') : undefined;
    targetKinds([p], { [p]: url }, env, { choice, allowProduction: req.allowProduction, ...(urlSource ? { urlSource } : {}) });
  }
}
