/**
 * GEP client: the business JSON sealed into `dataContent` with the merchant's private key, sent as the
 * profile's form (`version`, `certificateId`, `userNo`, `dataType`, `dataContent`) with the profile's
 * `Accept-Language`. The answer `{ success, errorCode, errorMsg, result }` has `result` (hex, sealed
 * with GEP's private key) opened with GEP's public key and replaced by the decoded value in `body`; a
 * `result` that cannot be opened is a `decrypt` problem, returned with the raw body, not thrown.
 *
 * Negative-test options: `rawDataContent` is sent instead of the sealed data (e.g. garbage hex),
 * `rawBody` replaces the whole form, `contentType` replaces the form content type.
 *
 * Codec `plaintext` (for the codec proxy and Pact): the business JSON is the JSON body, the answer's
 * `result` is read as it comes (an object), and `rawDataContent` is asked of the proxy with the
 * `card-conformance-codec` header; the proxy seals and opens with the configured keys.
 *
 * Retry: every operation retries on 429/503/transport failures with the very same form bytes (sealing
 * is deterministic anyway); no `userReqNo` is ever made here.
 */
import type { KeyObject } from 'node:crypto';
import { catalogue } from '../spec/catalogue.ts';
import type { OPERATIONS } from '../spec/registry.ts';
import { WireFormatError } from '../wire/errors.ts';
import { cachedEncryptChunk, decodeSealed, encodeSealed, gepForm } from '../wire/gep-envelope.ts';
import { generateTestKeyPair } from '../wire/keys.ts';
import { createRedactor } from '../wire/redact.ts';
import { callResult, problemOf, type Read, readAnswer } from './answer.ts';
import { endpoint, orderNumberOf, retryPolicy } from './call-spec.ts';
import { moneyOf } from './money.ts';
import { type CallResult, type ClientOptions, CODEC_DIRECTIVE_HEADER, type CodecDirective, type GepTarget } from './types.ts';

export type GepOperation = (typeof OPERATIONS)['gep'][number];

export interface GepCallOptions {
  /** Sent as `dataContent` instead of the sealed data. */
  rawDataContent?: string;
  /** Exactly these bytes are sent instead of the form. */
  rawBody?: string;
  /** Sent instead of `application/x-www-form-urlencoded`. */
  contentType?: string;
  /**
   * An authentication probe: identity fields of the form replaced or left out (`null`), or `dataContent`
   * that is not the merchant's own sealing of the data — sealed with another key, Base64 JSON hexed but
   * not sealed, cut short by one chunk, or not hex at all.
   */
  probe?: {
    form?: Partial<Record<'version' | 'certificateId' | 'userNo' | 'dataType', string | null>>;
    seal?: 'foreignKey' | 'unsealed' | 'truncated' | 'notHex';
  };
}

export interface GepClient {
  apply(data: Record<string, unknown>, options?: GepCallOptions): Promise<CallResult>;
  queryCardOperate(data: { userReqNo: string }, options?: GepCallOptions): Promise<CallResult>;
  info(data: { cardId: string }, options?: GepCallOptions): Promise<CallResult>;
  call(operation: GepOperation, data: unknown, options?: GepCallOptions): Promise<CallResult>;
}

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/** The profile's wire fact `name` as text. */
function wireFact(name: string): string {
  const v = catalogue().profiles.gep.wire[name];
  if (v === undefined) throw new Error(`contracts/gep/provider.ts: wire.${name} is missing`);
  return String(v);
}

/**
 * Chunks sealed before (per merchant key). PKCS#1 v1.5 block type 1 is deterministic, so a chunk seen
 * again is the very bytes a fresh encryption gives; in a run about one chunk in five repeats (requests
 * that share their first fields), each an RSA private-key operation saved.
 */
const sealedChunks = cachedEncryptChunk(4096);

export function createGepClient(target: GepTarget, opts: ClientOptions): GepClient {
  const redactor = opts.redactor ?? createRedactor();
  const plaintext = opts.codec === 'plaintext';

  /** `result` opened in place, when it is a non-empty string. */
  function openResult(operation: string, url: string, read: Read): Read {
    if (read.problem) return read;
    const envelope = read.body as Record<string, unknown>;
    const result = envelope['result'];
    if (typeof result !== 'string' || result === '') return read;
    try {
      return { body: { ...envelope, result: decodeSealed(result, target.platformPublicKey) } };
    } catch (err) {
      if (!(err instanceof WireFormatError)) throw err;
      return { body: read.body, problem: problemOf('gep', operation, url, 'decrypt', `result: ${err.message}`) };
    }
  }

  async function call(operation: GepOperation, data: unknown, options: GepCallOptions = {}): Promise<CallResult> {
    const { method, url } = endpoint('gep', operation, target.baseUrl);
    let wireBody = options.rawBody;
    const directive: Record<string, string> = {};
    if (plaintext && wireBody === undefined) {
      // the business JSON in clear; an undecryptable dataContent is asked of the proxy, not made here
      wireBody = JSON.stringify(data) ?? '';
      if (options.rawDataContent !== undefined) directive[CODEC_DIRECTIVE_HEADER] = 'undecryptable' satisfies CodecDirective;
    }
    if (wireBody === undefined) {
      let dataContent = options.rawDataContent;
      if (dataContent === undefined) {
        try {
          dataContent = options.probe?.seal
            ? probeSeal(options.probe.seal, data, target.merchantPrivateKey)
            : encodeSealed(data, target.merchantPrivateKey, sealedChunks);
        } catch (err) {
          throw err instanceof WireFormatError ? err.withCall({ provider: 'gep', operation, url }, 'dataContent') : err;
        }
      }
      wireBody = gepForm({
        version: wireFact('version'),
        certificateId: target.certificateId,
        userNo: target.userNo,
        dataType: wireFact('dataType'),
        dataContent,
      });
      const fields = options.probe?.form;
      if (fields) {
        const form = new URLSearchParams(wireBody);
        for (const [name, v] of Object.entries(fields)) {
          if (v === null) form.delete(name);
          else form.set(name, v);
        }
        wireBody = form.toString();
      }
    }
    const headers = {
      'content-type': options.contentType ?? (plaintext ? JSON_TYPE : FORM),
      'accept-language': wireFact('acceptLanguage'),
      ...directive,
    };
    const userReqNo = orderNumberOf(data, 'userReqNo');
    const res = await opts.transport.send({
      provider: 'gep',
      operation,
      method,
      url,
      headers,
      body: wireBody,
      ...(userReqNo ? { idempotencyKey: userReqNo } : {}),
      retry: retryPolicy(opts.retries, opts.rideOutMs),
      money: moneyOf('gep', operation, data),
    });
    return callResult(
      'gep',
      operation,
      {
        method,
        url,
        headers: redactor.headers(headers),
        body: data,
        wireBody,
        ...(options.rawBody !== undefined || options.rawDataContent !== undefined ? { raw: true as const } : {}),
      },
      res,
      plaintext ? readAnswer('gep', operation, url, res) : openResult(operation, url, readAnswer('gep', operation, url, res)),
    );
  }

  return {
    apply: (data, options) => call('apply', data, options),
    queryCardOperate: (data, options) => call('queryCardOperate', data, options),
    info: (data, options) => call('info', data, options),
    call,
  };
}

let strangerKey: KeyObject | undefined;
/** `dataContent` that is not the merchant's own sealing of `data`, one way an attacker could send it. */
function probeSeal(how: NonNullable<NonNullable<GepCallOptions['probe']>['seal']>, data: unknown, merchantKey: KeyObject): string {
  const base64 = Buffer.from(JSON.stringify(data), 'utf8').toString('base64');
  switch (how) {
    case 'foreignKey':
      // another merchant's key: made once per process, never a key of anyone's
      strangerKey ??= generateTestKeyPair(1024).privateKey;
      return encodeSealed(data, strangerKey);
    case 'unsealed':
      return Buffer.from(base64, 'utf8').toString('hex');
    case 'truncated': {
      // the merchant's own sealing, one 128-byte chunk (256 hex characters) short of the whole
      const sealed = encodeSealed(data, merchantKey);
      return sealed.length > 256 ? sealed.slice(0, -256) : sealed.slice(0, sealed.length / 2);
    }
    case 'notHex':
      return base64;
  }
}
