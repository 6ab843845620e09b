/**
 * Configuration from `.env` (dotenv, quiet) and the environment, validated at start-up. The variable
 * names are a public interface (documented in `.env.example`). The environment wins over `.env`; an
 * empty value counts as unset, so a copied `.env.example` line `ALCHEMY_BASE_URL=` means "not set".
 *
 * A provider is configured when its `<PROVIDER>_BASE_URL` is set; then its credentials are required.
 * Credentials given without a base URL are still validated (and keys loaded), so that `--base-url` can
 * use them and a mistake shows at start-up, not at the first call.
 *
 * Every failure is a `ConfigError`: one line naming the variable and what is wrong, never its value.
 */

import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { config as dotenv } from 'dotenv';
import type { AlchemyTarget, GepTarget } from '../client/types.ts';
import { seedCatalogue } from '../spec/catalogue.ts';
import type { Provider } from '../spec/registry.ts';
import type { AlchemyLanguage } from '../wire/alchemy-sign.ts';
import { KeyError } from '../wire/errors.ts';
import type { TransportOptions } from '../wire/http.ts';
import { loadPrivateKey, loadPublicKey, privateKeyFrom, publicKeyFrom } from '../wire/keys.ts';
import { ConfigError } from './errors.ts';

export interface Targets {
  alchemy: AlchemyTarget;
  gep: GepTarget;
}

/**
 * The transport's deadlines and size limit, plus how transient answers (429, 502-504, resets, timeouts)
 * are ridden out: for up to `rideOutMs` from a request's first attempt, at most `retries` retries.
 */
export interface Limits extends TransportOptions {
  retries: number;
  rideOutMs: number;
}

export interface ProviderConfig<P extends Provider> {
  /** The complete target when `<PROVIDER>_BASE_URL` is set; undefined = not configured. */
  target: Targets[P] | undefined;
  /** The credentials that were given (validated, keys loaded), for a base URL given another way. */
  credentials: Partial<Omit<Targets[P], 'baseUrl'>>;
}

export type ProviderConfigs = { [P in Provider]: ProviderConfig<P> };

export interface Config extends ProviderConfigs {
  limits: Limits;
  /** Every configured secret string, for `createRedactor({ secrets })`. */
  secrets: string[];
}

export const LIMIT_VARIABLES = {
  connectTimeoutMs: 'CARD_CONFORMANCE_CONNECT_TIMEOUT_MS',
  headersTimeoutMs: 'CARD_CONFORMANCE_HEADERS_TIMEOUT_MS',
  bodyTimeoutMs: 'CARD_CONFORMANCE_BODY_TIMEOUT_MS',
  callTimeoutMs: 'CARD_CONFORMANCE_CALL_TIMEOUT_MS',
  maxBodyBytes: 'CARD_CONFORMANCE_MAX_BODY_BYTES',
  retries: 'CARD_CONFORMANCE_RETRIES',
  rideOutMs: 'CARD_CONFORMANCE_RIDE_OUT_MS',
} as const satisfies Record<keyof Limits, string>;

export const DEFAULT_LIMITS: Readonly<Limits> = {
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  callTimeoutMs: 15_000,
  maxBodyBytes: 1_048_576,
  // ridden out for a minute (Retry-After honoured, backoff with jitter): the window ends the retries, not a count
  retries: 50,
  rideOutMs: 60_000,
};

/** Credential variables per provider and target field. */
export const CREDENTIAL_VARIABLES = {
  alchemy: { accessKey: 'ALCHEMY_ACCESS_KEY', secretKey: 'ALCHEMY_SECRET_KEY', email: 'ALCHEMY_EMAIL' },
  gep: {
    userNo: 'GEP_USER_NO',
    certificateId: 'GEP_CERTIFICATE_ID',
    merchantPrivateKey: 'GEP_MERCHANT_PRIVATE_KEY',
    platformPublicKey: 'GEP_PLATFORM_PUBLIC_KEY',
  },
} as const;

// in target-kind.ts, which the suites' workers load without this module (zod, dotenv)
export { baseUrlVariable } from './target-kind.ts';

/** Why `value` is not a usable http(s) base URL, or undefined when it is. Never quotes the value. */
export function httpUrlProblem(value: string): string | undefined {
  if (!URL.canParse(value)) return 'must be an absolute http(s) URL';
  const u = new URL(value);
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    return `must be an http(s) URL (the scheme is ${u.protocol.length <= 10 ? u.protocol : 'another one'})`;
  if (u.username !== '' || u.password !== '') return 'must not carry credentials (user:password@): they would appear in reports';
  if (u.search !== '' || u.hash !== '') return 'must not have a query or a fragment';
  return undefined;
}

/** `value` as an http(s) URL, or a `ConfigError` naming `variable`. */
export function parseHttpUrl(variable: string, value: string): string {
  const problem = httpUrlProblem(value);
  if (problem) throw new ConfigError(variable, problem);
  return value;
}

/** What `ALCHEMY_EMAIL` (the `email` header) must look like. */
export const EMAIL = /^[^\s@]+@[^\s@]+$/;

/**
 * The check of one variable's value: its value as the configuration reads it, or the one problem found.
 * Plain functions, not a zod schema: the run's process loads this module before vitest starts, and zod
 * costs 45 ms of that start.
 */
type Check<T> = (v: string) => { ok: true; value: T } | { ok: false; problem: string };
const ok = <T>(value: T) => ({ ok: true as const, value });
const bad = (problem: string) => ({ ok: false as const, problem });

const text: Check<string> = (v) => (v.length >= 1 ? ok(v) : bad('must not be empty'));
const anyText: Check<string> = (v) => ok(v);
const httpUrl: Check<string> = (v) => {
  const problem = httpUrlProblem(v);
  return problem ? bad(problem) : ok(v);
};
const matching =
  (re: RegExp, problem: string): Check<string> =>
  (v) =>
    re.test(v) ? ok(v) : bad(problem);
const oneOf =
  <T extends string>(values: readonly T[]): Check<T> =>
  (v) =>
    (values as readonly string[]).includes(v) ? ok(v as T) : bad(`must be one of ${values.join(', ')}`);
const whole =
  (min: number, max: number, unit: string): Check<number> =>
  (v) => {
    if (!/^\s*\d+\s*$/.test(v)) return bad(`must be a whole number of ${unit}`);
    const n = Number(v);
    return n >= min && n <= max ? ok(n) : bad(`must be a whole number of ${unit} from ${min} to ${max}`);
  };

const languages = String(seedCatalogue().profiles.alchemy.wire['languages'] ?? '').split(',') as [AlchemyLanguage, ...AlchemyLanguage[]];

/** setTimeout's ceiling (2^31 − 1 ms) bounds the deadlines. */
const MAX_MS = 2_147_483_647;
/** More retries than this would hammer a provider that is down. */
const MAX_RETRIES = 1000;

/** Every variable's check, in the order the first problem is looked for. */
const ENV_CHECKS = {
  ALCHEMY_BASE_URL: httpUrl,
  [CREDENTIAL_VARIABLES.alchemy.accessKey]: text,
  [CREDENTIAL_VARIABLES.alchemy.secretKey]: text,
  [CREDENTIAL_VARIABLES.alchemy.email]: matching(EMAIL, 'must be an e-mail address'),
  ALCHEMY_LANGUAGE: oneOf(languages),
  ALCHEMY_CALLBACK_URL: httpUrl,
  GEP_BASE_URL: httpUrl,
  [CREDENTIAL_VARIABLES.gep.userNo]: text,
  [CREDENTIAL_VARIABLES.gep.certificateId]: text,
  [CREDENTIAL_VARIABLES.gep.merchantPrivateKey]: text,
  GEP_MERCHANT_KEY_PASSWORD: anyText,
  [CREDENTIAL_VARIABLES.gep.platformPublicKey]: text,
  [LIMIT_VARIABLES.connectTimeoutMs]: whole(1, MAX_MS, 'milliseconds'),
  [LIMIT_VARIABLES.headersTimeoutMs]: whole(1, MAX_MS, 'milliseconds'),
  [LIMIT_VARIABLES.bodyTimeoutMs]: whole(1, MAX_MS, 'milliseconds'),
  [LIMIT_VARIABLES.callTimeoutMs]: whole(1, MAX_MS, 'milliseconds'),
  [LIMIT_VARIABLES.maxBodyBytes]: whole(1, MAX_MS, 'bytes'),
  [LIMIT_VARIABLES.retries]: whole(0, MAX_RETRIES, 'retries'),
  [LIMIT_VARIABLES.rideOutMs]: whole(0, MAX_MS, 'milliseconds'),
} as const;

/** Every variable read, in the order they are checked. */
export const VARIABLES = Object.keys(ENV_CHECKS) as ReadonlyArray<keyof typeof ENV_CHECKS>;
type Env = { -readonly [K in keyof typeof ENV_CHECKS]?: (typeof ENV_CHECKS)[K] extends Check<infer T> ? T : never };

/** The variables set, each read by its check; a one-line `ConfigError` on the first problem. */
function readEnv(raw: Readonly<Record<string, string>>): Env {
  const out: Record<string, unknown> = {};
  for (const [name, check] of Object.entries(ENV_CHECKS) as Array<[keyof Env, Check<unknown>]>) {
    const v = raw[name];
    if (v === undefined) continue;
    const r = check(v);
    if (!r.ok) throw new ConfigError(name, r.problem);
    out[name] = r.value;
  }
  return out as Env;
}

export interface LoadOptions {
  /** Where `.env` is read from and relative key paths are resolved; `process.cwd()` by default. */
  cwd?: string;
  /** Read `<cwd>/.env`; true by default. */
  dotenv?: boolean;
}

/** The variables from `<cwd>/.env` under those of `env`, empty values dropped. */
function mergedEnv(env: Readonly<Record<string, string | undefined>>, cwd: string, readDotenv: boolean): Record<string, string> {
  const merged: Record<string, string | undefined> = { ...env };
  if (readDotenv) {
    const { error } = dotenv({ path: resolve(cwd, '.env'), processEnv: merged, quiet: true });
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (error && code !== 'ENOENT') throw new ConfigError('.env', `cannot be read (${code ?? 'unreadable'})`);
  }
  const out: Record<string, string> = {};
  for (const name of VARIABLES) {
    const v = merged[name];
    if (v !== undefined && v.trim() !== '') out[name] = v;
  }
  return out;
}

const KEY_FILE = /\.(pem|pfx|p12|cer|crt|der|key)$/i;

/** What a key variable holds: a path, PEM text, or the bytes of its base64 value (how CI secrets carry a `.pfx`). */
export type KeyValue = { path: string } | { pem: string } | { bytes: Buffer };

/** What the messages call a key given as base64 (never its content). */
export const BASE64_SOURCE = 'base64 value';

/**
 * A key variable's value, as CI gives secrets (issue 15): PEM text as is; base64 (at least 64 characters,
 * whitespace ignored) decoded — of PEM text, of a `.pfx`/`.p12` (opened with GEP_MERCHANT_KEY_PASSWORD),
 * of a DER key or `.cer`; a path (a directory part, a key-file extension, or an existing file) resolved
 * from `cwd`. Anything else is refused unread: a path is shown in messages, and a value that is not
 * visibly one may be a secret pasted into the wrong place.
 */
export function keyInput(variable: string, value: string, cwd: string): KeyValue {
  if (value.includes('-----BEGIN ')) return { pem: value };
  const compact = value.replace(/\s+/g, '');
  if (compact.length >= 64 && /^[A-Za-z0-9+/]+={0,2}$/.test(compact) && compact.length % 4 !== 1) {
    const bytes = Buffer.from(compact, 'base64');
    const text = bytes.toString('utf8');
    return text.includes('-----BEGIN ') ? { pem: text } : { bytes };
  }
  const trimmed = value.trim();
  if (value.length <= 1024 && !/[\r\n]/.test(value)) {
    const path = isAbsolute(trimmed) ? trimmed : resolve(cwd, trimmed);
    if (/[\\/]/.test(trimmed) || KEY_FILE.test(trimmed) || isFile(path)) return { path };
  }
  throw new ConfigError(
    variable,
    'neither a readable key file, PEM text, nor base64 of a key (.pfx/.p12 with its password, DER, .cer): give one of them',
  );
}

const isFile = (path: string): boolean => {
  try {
    return existsSync(path) && statSync(path).isFile();
  } catch {
    return false;
  }
};

function privateFromValue(v: KeyValue, password: string | undefined): KeyObject {
  if ('path' in v) return loadPrivateKey(v.path, password);
  if ('pem' in v) return loadPrivateKey(v.pem, password);
  return privateKeyFrom(BASE64_SOURCE, v.bytes, password, 'any');
}

function publicFromValue(v: KeyValue): KeyObject {
  if ('path' in v) return loadPublicKey(v.path);
  if ('pem' in v) return loadPublicKey(v.pem);
  return publicKeyFrom(BASE64_SOURCE, v.bytes);
}

/**
 * ALCHEMY_SECRET_KEY as CI gives it: the key itself, or — when the value is an absolute or `./` path to
 * an existing file — that file's content (trimmed). A value that merely looks like a path is the key.
 */
export function secretValue(variable: string, value: string, cwd: string): string {
  const v = value.trim();
  if (!(isAbsolute(v) || v.startsWith('./') || v.startsWith('../'))) return value;
  const path = isAbsolute(v) ? v : resolve(cwd, v);
  if (!isFile(path)) return value;
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new ConfigError(variable, `the file ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  if (text === '' || /[\r\n]/.test(text)) throw new ConfigError(variable, `the file ${path} must hold the key on one line`);
  return text;
}

/** Loads a key, turning a `KeyError` (which names the path or `inline PEM`, never the key) into a `ConfigError`. */
function loadKey<T>(variable: string, load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    if (err instanceof KeyError) throw new ConfigError(variable, err.message);
    throw new ConfigError(variable, 'the key cannot be loaded');
  }
}

/**
 * Checks that every credential is present and returns the complete target. `why` says what made them
 * required (`ALCHEMY_BASE_URL is set`, `--base-url is given`).
 */
export function completeTarget<P extends Provider>(
  provider: P,
  credentials: ProviderConfig<P>['credentials'],
  baseUrl: string,
  why: string,
): Targets[P] {
  const given = credentials as Record<string, unknown>;
  for (const [field, variable] of Object.entries(CREDENTIAL_VARIABLES[provider])) {
    if (given[field] === undefined) throw new ConfigError(variable, `not set: required when ${why}`);
  }
  return { ...credentials, baseUrl } as Targets[P];
}

function alchemyConfig(e: Env): ProviderConfig<'alchemy'> {
  const credentials: ProviderConfig<'alchemy'>['credentials'] = {};
  if (e.ALCHEMY_ACCESS_KEY !== undefined) credentials.accessKey = e.ALCHEMY_ACCESS_KEY;
  if (e.ALCHEMY_SECRET_KEY !== undefined) credentials.secretKey = e.ALCHEMY_SECRET_KEY;
  if (e.ALCHEMY_EMAIL !== undefined) credentials.email = e.ALCHEMY_EMAIL;
  if (e.ALCHEMY_LANGUAGE !== undefined) credentials.language = e.ALCHEMY_LANGUAGE;
  if (e.ALCHEMY_CALLBACK_URL !== undefined) credentials.callbackUrl = e.ALCHEMY_CALLBACK_URL;
  const base = e.ALCHEMY_BASE_URL;
  return { credentials, target: base === undefined ? undefined : completeTarget('alchemy', credentials, base, 'ALCHEMY_BASE_URL is set') };
}

function gepConfig(e: Env, cwd: string): ProviderConfig<'gep'> {
  const credentials: ProviderConfig<'gep'>['credentials'] = {};
  if (e.GEP_USER_NO !== undefined) credentials.userNo = e.GEP_USER_NO;
  if (e.GEP_CERTIFICATE_ID !== undefined) credentials.certificateId = e.GEP_CERTIFICATE_ID;
  const priv = e.GEP_MERCHANT_PRIVATE_KEY;
  if (priv !== undefined) {
    credentials.merchantPrivateKey = loadKey('GEP_MERCHANT_PRIVATE_KEY', () =>
      privateFromValue(keyInput('GEP_MERCHANT_PRIVATE_KEY', priv, cwd), e.GEP_MERCHANT_KEY_PASSWORD),
    );
  }
  const pub = e.GEP_PLATFORM_PUBLIC_KEY;
  if (pub !== undefined)
    credentials.platformPublicKey = loadKey('GEP_PLATFORM_PUBLIC_KEY', () =>
      publicFromValue(keyInput('GEP_PLATFORM_PUBLIC_KEY', pub, cwd)),
    );
  const base = e.GEP_BASE_URL;
  return { credentials, target: base === undefined ? undefined : completeTarget('gep', credentials, base, 'GEP_BASE_URL is set') };
}

/** Loads and validates the configuration; throws a one-line `ConfigError` on the first bad value. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env, options: LoadOptions = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const e = readEnv(mergedEnv(env, cwd, options.dotenv ?? true));
  if (e.ALCHEMY_SECRET_KEY !== undefined) e.ALCHEMY_SECRET_KEY = secretValue('ALCHEMY_SECRET_KEY', e.ALCHEMY_SECRET_KEY, cwd);
  const limits = { ...DEFAULT_LIMITS };
  for (const [field, variable] of Object.entries(LIMIT_VARIABLES) as Array<[keyof Limits, keyof Env & string]>) {
    const v = e[variable];
    if (typeof v === 'number') limits[field] = v;
  }
  // The access key is an identifier, but hiding it in free text costs nothing; a key path is not secret, inline PEM is.
  // (base64 of a key is key material too: anything keyInput does not take as a path)
  const priv = e.GEP_MERCHANT_PRIVATE_KEY;
  const inlineKey = priv !== undefined && !('path' in keyInput('GEP_MERCHANT_PRIVATE_KEY', priv, cwd)) ? priv : undefined;
  const secrets = [e.ALCHEMY_SECRET_KEY, e.ALCHEMY_ACCESS_KEY, e.GEP_MERCHANT_KEY_PASSWORD, inlineKey].filter(
    (s): s is string => s !== undefined,
  );
  return { alchemy: alchemyConfig(e), gep: gepConfig(e, cwd), limits, secrets };
}
