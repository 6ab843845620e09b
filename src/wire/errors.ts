/**
 * Typed errors of the wire layer. Every message is one line, names what failed (ky style:
 * `GEP apply to http://127.0.0.1:4010 failed: result: chunk 2 of 3 could not be decrypted …`) and goes
 * through the pattern redactor (PANs, JWTs, PEM blocks, sensitive fields). Configured secrets are not
 * known here: output paths pass the message through their configured redactor again (`errorLine`).
 *
 * No error keeps the original `cause`: a low-level cause can carry text this layer did not write.
 * The low-level error code (`ECONNREFUSED`, `UND_ERR_SOCKET`…) is kept in `code` instead.
 */
import { createRedactor, type Redactor } from './redact.ts';

/**
 * The exit codes the README documents, numbered here once: 0 conformant (or success), 1 a rule failed
 * (or the provider refused), 2 usage or configuration, 3 the target could not be tested.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, untestable: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * The base of every error the project throws on purpose: a one-line message that is safe to print and
 * the exit code a command ends with when it escapes. Commands map errors to exit codes through
 * `exitCodeOf` only, so the mapping exists once: each class states its own code.
 */
export abstract class CardConformanceError extends Error {
  abstract readonly exitCode: ExitCode;
}

/**
 * Bad input from the user (a flag, an argument, a file they named): exit 2. Declared here, on the lowest
 * floor, so that library modules reading a user's file (src/report) can throw it; src/cli/args.ts
 * re-exports it for the commands.
 */
export class UsageError extends CardConformanceError {
  override name = 'UsageError';
  readonly exitCode = EXIT.usage;
}

/** The exit code for anything a command throws: the project's errors carry theirs; anything else is 1. */
export function exitCodeOf(err: unknown): ExitCode {
  return err instanceof CardConformanceError ? err.exitCode : EXIT.failed;
}

/**
 * How messages name a provider. The wire layer keeps no list of providers (that is the registry's, a
 * floor above); a name without a label is shown as given.
 */
const PROVIDER_LABELS: Readonly<Record<string, string>> = { alchemy: 'Alchemy', gep: 'GEP' };

export type WireErrorKind =
  | 'connect'
  | 'timeout'
  | 'tls'
  | 'http-status'
  | 'not-json'
  | 'html'
  | 'too-large'
  | 'decrypt'
  | 'signature'
  | 'reset'
  | 'config'
  | 'key';

/** Which call failed. `url` may carry a query; errors keep only origin and path. */
export interface CallContext {
  provider: string;
  operation: string;
  url: string;
}

export interface WireErrorDetails {
  status?: number;
  /** How many attempts were made (1 without retry). */
  attempts?: number;
  /** Low-level error code, e.g. `ECONNREFUSED`. */
  code?: string;
}

const patterns = createRedactor();

/** Redacted, on one line. */
export function oneLine(s: string, redactor: Redactor = patterns): string {
  return redactor
    .text(s)
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .trim();
}

/** Origin and path of a URL, without query or fragment (a query can carry a token). */
export function originAndPath(url: string): string {
  try {
    const u = new URL(url);
    return u.origin + u.pathname;
  } catch {
    return url.split(/[?#]/)[0] ?? '';
  }
}

/** Kinds that say the call was set up wrong (exit 2); every other kind means the target could not be tested (exit 3). */
const SETUP_KINDS: ReadonlySet<WireErrorKind> = new Set(['config', 'key']);

export class WireError extends CardConformanceError {
  override readonly name = 'WireError';
  readonly provider: string;
  readonly operation: string;
  /** Origin and path only. */
  readonly url: string;
  readonly kind: WireErrorKind;
  readonly status: number | undefined;
  readonly attempts: number | undefined;
  readonly code: string | undefined;

  constructor(call: CallContext, kind: WireErrorKind, detail: string, details: WireErrorDetails = {}) {
    const url = originAndPath(call.url);
    const host = URL.canParse(url) ? new URL(url).origin : url;
    super(oneLine(`${PROVIDER_LABELS[call.provider] ?? call.provider} ${call.operation} to ${host} failed: ${detail}`));
    this.provider = call.provider;
    this.operation = call.operation;
    this.url = url;
    this.kind = kind;
    this.status = details.status;
    this.attempts = details.attempts;
    this.code = details.code;
  }

  get exitCode(): ExitCode {
    return SETUP_KINDS.has(this.kind) ? EXIT.usage : EXIT.untestable;
  }
}

/** A codec-level failure (hex, RSA block, Base64, JSON, signature input), without call context. */
export class WireFormatError extends CardConformanceError {
  override readonly name = 'WireFormatError';
  /** An answer that cannot be read is a problem with the answer (`call` documents 1 for it). */
  readonly exitCode = EXIT.failed;
  readonly kind: WireErrorKind;

  constructor(kind: WireErrorKind, detail: string) {
    super(oneLine(detail));
    this.kind = kind;
  }

  /** The same failure as a `WireError` of a call; `what` names the field (`result`, `dataContent`). */
  withCall(call: CallContext, what?: string, details?: WireErrorDetails): WireError {
    return new WireError(call, this.kind, what ? `${what}: ${this.message}` : this.message, details);
  }
}

/** A key that cannot be loaded. `source` is the file path or `inline PEM`, never the key itself. */
export class KeyError extends CardConformanceError {
  override readonly name = 'KeyError';
  readonly exitCode = EXIT.usage;
  readonly role: 'private' | 'public';
  readonly source: string;

  constructor(role: 'private' | 'public', source: string, cause: string) {
    super(oneLine(`cannot load the ${role} key from ${source}: ${cause}`));
    this.role = role;
    this.source = source;
  }
}

/**
 * Any thrown value as one redacted line, for output paths. The project's own errors print their
 * message; others print `Name: message`. Pass the configured redactor to hide configured secrets too.
 */
export function errorLine(err: unknown, redactor?: Redactor): string {
  if (err instanceof CardConformanceError) return oneLine(err.message, redactor);
  if (err instanceof Error) return oneLine(`${err.name}: ${err.message}`, redactor);
  return oneLine(String(err), redactor);
}
