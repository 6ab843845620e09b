/**
 * Authentication probed as an attacker would, derived from the wire profile rather than a list of
 * favourites: for Alchemy every authentication header left out or empty, each value malformed or another
 * merchant's, the timestamp window from both sides, and a valid signature of another request for each
 * part of the signing input (timestamp, method, path, body); for GEP each identity field of the form left
 * out or empty, another merchant's number, and every way `dataContent` can fail to be the merchant's own
 * sealed JSON. Each probe names the rule it decides and its class. Where the document allows two forms of
 * the same request (key order, dropped empty values), no probe is made: both must be taken.
 */
import { randomBytes } from 'node:crypto';
import type { AlchemyCallOptions } from '../client/alchemy.ts';
import type { GepCallOptions } from '../client/gep.ts';
import { catalogue } from '../spec/catalogue.ts';
import type { Provider } from '../spec/registry.ts';
import { ALCHEMY_AUTH_HEADERS } from '../wire/alchemy-sign.ts';

export interface AuthProbe<O> {
  /** The behaviour of the rule it decides (`rejectsBadTimestamp`). */
  behaviour: string;
  /** Its class, for the report (`timestamp/stale`). */
  cls: string;
  /** What was done, for evidence. */
  what: string;
  options: O;
}

/** The rule of `provider`'s opening operation with this behaviour. */
export function authRule(provider: Provider, behaviour: string): string {
  const r = catalogue().rules.find((x) => x.provider === provider && x.check.kind === 'behaviour' && x.check.behaviour === behaviour);
  if (!r) throw new Error(`${provider}: no rule for the behaviour ${behaviour}`);
  return r.id;
}

/** Which rule each Alchemy authentication header's probes decide. */
const ALCHEMY_HEADER_RULE: Record<keyof typeof ALCHEMY_AUTH_HEADERS, string> = {
  key: 'rejectsForeignKey',
  timestamp: 'rejectsBadTimestamp',
  sign: 'rejectsBadSignature',
};

/**
 * The Alchemy probes for one request `body` (as it will be sent, for the probe that signs another body).
 * `now`: the clock the timestamps are read from.
 */
export function alchemyAuthProbes(body: Record<string, unknown>, now: number = Date.now()): AuthProbe<AlchemyCallOptions>[] {
  const H = ALCHEMY_AUTH_HEADERS;
  const profile = catalogue().profiles.alchemy;
  const windowMs = Number(profile.wire['signatureWindowMs']);
  const create = profile.calls.find((c) => c.operation === 'create')!;
  const otherPath = profile.calls.find((c) => c.operation !== 'create')!.path;
  const out: AuthProbe<AlchemyCallOptions>[] = [];
  // every header that makes the request the merchant's: left out, and present but empty
  for (const [part, name] of Object.entries(H) as [keyof typeof H, string][]) {
    const behaviour = ALCHEMY_HEADER_RULE[part];
    out.push({ behaviour, cls: `${part}/missing`, what: `${name} left out`, options: { tamper: { headers: { [name]: null } } } });
    out.push({ behaviour, cls: `${part}/empty`, what: `${name} empty`, options: { tamper: { headers: { [name]: '' } } } });
  }
  // each value malformed or another's, the rest of the request valid and signed over what is sent
  const stranger = `ak_${randomBytes(8).toString('hex')}`;
  out.push({
    behaviour: 'rejectsForeignKey',
    cls: 'key/foreign',
    what: `${H.key} of another merchant`,
    options: { tamper: { headers: { [H.key]: stranger } } },
  });
  for (const [cls, ts, what] of [
    ['timestamp/seconds', String(Math.floor(now / 1000)), 'in seconds, not 13-digit milliseconds'],
    ['timestamp/iso', new Date(now).toISOString(), 'an ISO date, not milliseconds'],
  ] as const)
    out.push({
      behaviour: 'rejectsBadTimestamp',
      cls,
      what: `${H.timestamp} ${what} (signed as sent)`,
      options: { tamper: { signAs: { timestamp: ts }, headers: { [H.timestamp]: ts } } },
    });
  // the window from both sides, a minute past it, correctly signed
  out.push({
    behaviour: 'rejectsBadTimestamp',
    cls: 'timestamp/stale',
    what: `${H.timestamp} ${(windowMs + 60_000) / 60_000} minutes old`,
    options: { timestampOffsetMs: -(windowMs + 60_000) },
  });
  out.push({
    behaviour: 'rejectsBadTimestamp',
    cls: 'timestamp/future',
    what: `${H.timestamp} ${(windowMs + 60_000) / 60_000} minutes ahead`,
    options: { timestampOffsetMs: windowMs + 60_000 },
  });
  out.push({
    behaviour: 'rejectsBadSignature',
    cls: 'sign/malformed',
    what: `${H.sign} not Base64`,
    options: { signature: 'not-a-signature!' },
  });
  out.push({
    behaviour: 'rejectsBadSignature',
    cls: 'sign/foreign',
    what: `${H.sign} made with another secret`,
    options: { signature: Buffer.alloc(32, 7).toString('base64') },
  });
  // a valid signature of another request, for each part of the signing input
  const otherBody = JSON.stringify({ ...body, [Object.keys(body)[0] ?? 'x']: `${String(Object.values(body)[0] ?? '')}x` });
  for (const [cls, signAs, what] of [
    ['signed/timestamp', { timestampOffsetMs: -1000 }, 'a timestamp a second earlier'],
    ['signed/method', { method: create.method === 'POST' ? 'GET' : 'POST' }, 'another method'],
    ['signed/path', { path: otherPath }, `another path (${otherPath})`],
    ['signed/body', { body: otherBody }, 'another body'],
  ] as const)
    out.push({ behaviour: 'rejectsOtherRequestSignature', cls, what: `a valid signature of ${what}`, options: { tamper: { signAs } } });
  return out;
}

/** The GEP probes: the form's identity fields, and every way dataContent is not the merchant's own sealing. */
export function gepAuthProbes(): AuthProbe<GepCallOptions>[] {
  const out: AuthProbe<GepCallOptions>[] = [];
  for (const field of ['userNo', 'certificateId'] as const) {
    out.push({
      behaviour: 'rejectsForeignIdentity',
      cls: `${field}/missing`,
      what: `${field} left out`,
      options: { probe: { form: { [field]: null } } },
    });
    out.push({
      behaviour: 'rejectsForeignIdentity',
      cls: `${field}/empty`,
      what: `${field} empty`,
      options: { probe: { form: { [field]: '' } } },
    });
  }
  const other = `9${randomBytes(9).readBigUInt64BE().toString().padStart(18, '0').slice(0, 18)}`;
  out.push({
    behaviour: 'rejectsForeignIdentity',
    cls: 'userNo/foreign',
    what: "another merchant's userNo",
    options: { probe: { form: { userNo: other } } },
  });
  out.push({
    behaviour: 'rejectsUndecryptable',
    cls: 'dataContent/random',
    what: 'dataContent random hex',
    options: { rawDataContent: randomBytes(256).toString('hex') },
  });
  for (const [seal, what] of [
    ['foreignKey', "sealed with another merchant's key"],
    ['unsealed', 'the Base64 JSON in hex, not sealed'],
    ['truncated', "the merchant's sealing cut short by a chunk"],
    ['notHex', 'the Base64 JSON, not hex'],
  ] as const)
    out.push({ behaviour: 'rejectsUndecryptable', cls: `dataContent/${seal}`, what: `dataContent ${what}`, options: { probe: { seal } } });
  return out;
}
