/** What every client call returns: the request as sent (redacted headers), the answer, and any problem with it. */
import type { KeyObject } from 'node:crypto';
import type { Provider } from '../spec/registry.ts';
import type { AlchemyLanguage } from '../wire/alchemy-sign.ts';
import type { Transport } from '../wire/http.ts';
import type { Redactor } from '../wire/redact.ts';

/** Where and as whom a client calls; configuration (src/config) builds these, the clients only take them. */
export interface AlchemyTarget {
  baseUrl: string;
  accessKey: string;
  secretKey: string;
  email: string;
  language?: AlchemyLanguage;
  /** A public URL reaching the suite's callback receiver; unset = the local receiver's own URL. */
  callbackUrl?: string;
}

export interface GepTarget {
  baseUrl: string;
  userNo: string;
  certificateId: string;
  merchantPrivateKey: KeyObject;
  platformPublicKey: KeyObject;
}

/** Why an answer could not be read as the provider's JSON envelope. Such an answer is returned, not thrown. */
export type ProblemKind = 'not-json' | 'html' | 'decrypt' | 'not-object';

export interface CallProblem {
  kind: ProblemKind;
  /** One line: provider, operation, host and cause. */
  message: string;
}

export interface SentRequest {
  method: string;
  url: string;
  /** As sent on the last attempt, redacted. */
  headers: Record<string, string>;
  /** The business JSON as the caller gave it, before signing or encryption (also when `rawBody` replaced the wire bytes). */
  body: unknown;
  /** The bytes on the wire, as text: Alchemy's JSON, GEP's form (with the sealed `dataContent`). Not redacted. */
  wireBody: string;
  /** The caller gave the wire bytes (`rawBody`, `rawDataContent`): `wireBody` does not encode `body`. */
  raw?: true;
}

export interface CallResult {
  provider: Provider;
  operation: string;
  request: SentRequest;
  status: number;
  /** Answer headers, lower-case names. */
  headers: Record<string, string>;
  rawBody: string;
  /** The parsed JSON answer (GEP: `result` decoded in place); undefined when it is not JSON. */
  body: unknown;
  problem?: CallProblem;
  /** When the exchange began (the first attempt), UTC ISO 8601. */
  at: string;
  /** All attempts and waits. */
  durationMs: number;
  attempts: number;
  /**
   * The answer decides nothing about the case's rules, and why: an authentication refusal of a request
   * that did not touch authentication, still so after one retry with a fresh signature.
   */
  undecided?: string;
}

export interface ClientOptions {
  transport: Transport;
  /**
   * Retries after the first attempt (configuration's `Limits.retries`, passed in: clients read no
   * configuration). Every attempt sends the same body.
   */
  retries: number;
  /** The ride-out window of transient answers, ms from a request's first attempt (configuration's `Limits.rideOutMs`). */
  rideOutMs?: number;
  /** Redacts the recorded request headers; by default one built from the target's secrets. */
  redactor?: Redactor;
  /**
   * `wire` (default): what the provider takes (Alchemy signed, GEP sealed in a form). `plaintext`: what a
   * codec proxy (`card-conformance proxy`) and a Pact mock server take: the business JSON in clear (GEP's
   * `dataContent` as the JSON body, its `result` answered as an object), and a negative-test option
   * (a wrong signature, an undecryptable `dataContent`) said by the `card-conformance-codec` header
   * instead of done, so that the proxy does it with the real keys.
   */
  codec?: Codec;
}

export type Codec = 'wire' | 'plaintext';

/** The header a plaintext request uses to ask the codec proxy for a broken signature or seal. */
export const CODEC_DIRECTIVE_HEADER = 'card-conformance-codec';
export const CODEC_DIRECTIVES = ['bad-signature', 'undecryptable'] as const;
export type CodecDirective = (typeof CODEC_DIRECTIVES)[number];
