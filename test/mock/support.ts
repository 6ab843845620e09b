/**
 * What the mock tests share: a running mock with the typed clients pointed at it (the wire layer, never
 * hand-rolled HTTP), a controllable clock, a callback receiver on 127.0.0.1, bounded polling, the
 * catalogue's response rules evaluated on an answer, and the "nothing leaked" check for failure bodies.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { expect } from 'vitest';
import { addDays, type GenContext } from '../../properties/generate.ts';
import { evaluate } from '../../src/checks/registry.ts';
import { type AlchemyClient, createAlchemyClient } from '../../src/client/alchemy.ts';
import { createGepClient, type GepClient } from '../../src/client/gep.ts';
import type { CallResult } from '../../src/client/types.ts';
import { type MockOptions, type RunningMock, startMock } from '../../src/mock/server.ts';
import { catalogue, type Rule } from '../../src/spec/catalogue.ts';
import { type EvalContext, todayIn } from '../../src/spec/evaluate.ts';
import type { Provider } from '../../src/spec/registry.ts';
import { createTransport, type Transport } from '../../src/wire/http.ts';
import { generateTestKeyPair } from '../../src/wire/keys.ts';
import { examples } from '../helpers/fixtures.ts';

export const cat = catalogue();

/** Generous limits: the mock answers in milliseconds, and a 10 MB upload must not trip the client. */
export const newTransport = (): Transport =>
  createTransport({
    connectTimeoutMs: 5_000,
    headersTimeoutMs: 20_000,
    bodyTimeoutMs: 20_000,
    maxBodyBytes: 1 << 20,
    callTimeoutMs: 20_000,
  });

/**
 * The mock's clock: real time, or frozen at a moment that moves only when a test says so (a lifecycle
 * step or a settle time then passes exactly, whatever the machine's load).
 */
export class Clock {
  private frozen: number | undefined;
  readonly now = (): number => this.frozen ?? Date.now();
  /** Stops the clock now, or at `at` (milliseconds). */
  freeze(at = Date.now()): void {
    this.frozen = at;
  }
  advance(ms: number): void {
    if (this.frozen === undefined) throw new Error('advance() needs a frozen clock');
    this.frozen += ms;
  }
}

export interface Harness {
  mock: RunningMock;
  url: string;
  alchemy: AlchemyClient;
  gep: GepClient;
  clock: Clock;
  /** Real milliseconds per provider second. */
  msPerSecond: number;
  close(): Promise<void>;
}

/** Keys shared by many mocks (no key generation per mock), with the client halves the tests use. */
export function sharedKeys() {
  const merchant = generateTestKeyPair(1024);
  const platform = generateTestKeyPair(1024);
  const alchemy = { accessKey: 'ak-mock-tests-0001', secretKey: 'sk-mock-tests-secret-0001' };
  const gep = { userNo: '1000000000000000001', certificateId: '2000000000000000002' };
  return {
    keys: {
      alchemy,
      gep: { ...gep, merchantPublicKey: merchant.publicKey, platformPrivateKey: platform.privateKey },
    } satisfies MockOptions['keys'],
    client: {
      alchemy: { ...alchemy, email: 'merchant@example.test' },
      gep: { ...gep, merchantPrivateKey: merchant.privateKey, platformPublicKey: platform.publicKey },
    },
  };
}
export type SharedKeys = ReturnType<typeof sharedKeys>;

/** A mock on 127.0.0.1 and both typed clients on it. With `shared`, the mock uses those keys. */
export async function startHarness(transport: Transport, opts: MockOptions = {}, shared?: SharedKeys): Promise<Harness> {
  const clock = new Clock();
  const timeScale = opts.timeScale ?? 0.002;
  const mock = await startMock({ admin: true, timeScale, now: clock.now, ...(shared ? { keys: shared.keys } : {}), ...opts });
  const alchemyKeys = shared?.client.alchemy ?? mock.client.alchemy;
  const gepKeys = shared?.client.gep ?? mock.client.gep;
  if (!gepKeys) throw new Error('the mock did not generate GEP keys and none were shared');
  const opt = { transport, retries: 0 };
  return {
    mock,
    url: mock.url,
    alchemy: createAlchemyClient({ baseUrl: mock.url, ...alchemyKeys }, opt),
    gep: createGepClient(
      {
        baseUrl: mock.url,
        userNo: gepKeys.userNo,
        certificateId: gepKeys.certificateId,
        merchantPrivateKey: gepKeys.merchantPrivateKey,
        platformPublicKey: gepKeys.platformPublicKey,
      },
      opt,
    ),
    clock,
    msPerSecond: 1000 * timeScale,
    close: () => mock.close(),
  };
}

/** Today in a provider's own zone (GEP: Asia/Shanghai). */
export const todayOf = (provider: Provider, at = new Date()): string => todayIn(cat.profiles[provider].timeZone, at);

/** The generators' context for a provider's request, in the mock's (lenient) mode. */
export function genContext(provider: Provider): GenContext {
  const g: GenContext = { mode: 'lenient', today: todayOf(provider) };
  // The faithful mock's card segments, as its segment list answers them (checked in alchemy.test.ts).
  if (provider === 'alchemy') g.knownValues = { segmentList: ['USD'] };
  return g;
}

let counter = 0;
const RUN = Math.random().toString(36).slice(2, 6);
/** A fresh order number, `length` characters when given (for length boundaries). */
export function uid(prefix = 'o', length?: number): string {
  const base = `${prefix}${RUN}${(counter++).toString(36)}`;
  return length === undefined ? base : base.padStart(length, 'x').slice(-length);
}

/**
 * The seed's own GEP apply for a regular card: dates moved to today (the provider's zone) and a year on, no
 * BIN, cardUserId or groupId, the given `userReqNo`; `over` replaces fields (an undefined one is removed).
 */
export function plainGepApply(userReqNo: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  const t = todayOf('gep');
  const req: Record<string, unknown> = {
    ...examples.gepApplyRequest(),
    startDate: t,
    endDate: addDays(t, 365),
    userReqNo,
    binRangeId: undefined,
    cardUserId: undefined,
    groupId: undefined,
    ...over,
  };
  for (const [k, v] of Object.entries(req)) if (v === undefined) delete req[k];
  return req;
}

/**
 * The same request with a fresh order number (`orderNo` / `userReqNo`) of the same length, so cases
 * never collide on a mock that remembers orders. Absent, empty and non-string numbers are left alone:
 * those are the cases about the number itself.
 */
export function freshOrder(value: unknown, field: 'orderNo' | 'userReqNo'): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const v = (value as Record<string, unknown>)[field];
  if (typeof v !== 'string' || v === '') return value;
  return { ...value, [field]: uid('n', Math.max(v.length, 10)) };
}
export const ORDER_FIELD: Record<Provider, 'orderNo' | 'userReqNo'> = { alchemy: 'orderNo', gep: 'userReqNo' };

/** The parsed envelope of a call, typed loosely for assertions. */
export const envelopeOf = (r: CallResult): Record<string, unknown> => (r.body ?? {}) as Record<string, unknown>;
export const resultOf = (r: CallResult): Record<string, unknown> => (envelopeOf(r)['result'] ?? {}) as Record<string, unknown>;

/** Accepted: a success envelope, or GEP's 140001 "outcome not known yet" (the order exists). */
export function accepted(r: CallResult): boolean {
  const e = envelopeOf(r);
  return r.status === 200 && !r.problem && (e['success'] === true || (r.provider === 'gep' && e['errorCode'] === '140001'));
}

/** The code of a refusal (Alchemy `code`, GEP `errorCode`). */
export const codeOf = (r: CallResult): unknown => envelopeOf(r)[r.provider === 'alchemy' ? 'code' : 'errorCode'];

export const CODES: Record<Provider, ReadonlySet<string>> = {
  alchemy: new Set(cat.profiles.alchemy.codes.map((c) => c.code)),
  gep: new Set(cat.profiles.gep.codes.map((c) => c.code)),
};

/** The context response rules are evaluated in: the request they answer, its defaults, the code list. */
export function answerContext(provider: Provider, request: unknown, extra: Partial<EvalContext> = {}): EvalContext {
  const operation = provider === 'alchemy' ? 'create' : 'apply';
  return {
    mode: 'lenient',
    today: todayOf(provider),
    defaults: cat.operation(provider, operation).defaults,
    codes: CODES[provider],
    ...(request !== null && typeof request === 'object' && !Array.isArray(request) ? { request: request as Record<string, unknown> } : {}),
    ...extra,
  };
}

/** The response rules of the create/apply answer that `r` breaks (empty: every rule holds or does not apply). */
export function brokenResponseRules(r: CallResult, extra: Partial<EvalContext> = {}): string[] {
  const operation = r.provider === 'alchemy' ? 'create' : 'apply';
  const ctx = answerContext(r.provider, r.request.body, extra);
  return cat
    .rulesFor(r.provider, operation)
    .filter((rule: Rule) => rule.side === 'response')
    .filter((rule) => evaluate(rule, r.body, ctx).holds === false)
    .map((rule) => rule.id);
}

/** A failure body as the provider's own envelope, with nothing of the server's insides in it. */
export function expectNoInsides(raw: string): void {
  expect(raw).not.toMatch(/^\s*at\s/m);
  expect(raw).not.toMatch(/\bat [^\s]+ \(.*:\d+:\d+\)/);
  expect(raw).not.toMatch(/Error:/);
  expect(raw).not.toMatch(/node:internal|\/src\/mock\//);
}

/** Polls `probe` every `intervalMs` until it returns a value, or gives up after `limitMs` (undefined). Asserts nothing about time. */
export async function until<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  limitMs = 10_000,
  intervalMs = 5,
): Promise<T | undefined> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface Received {
  path: string;
  contentType: string | undefined;
  body: unknown;
}

export interface Receiver {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

export interface ReceiverOptions {
  /** HTTP status of every answer; 200 by default. */
  status?: number;
  /** Body of every answer; the profile's ack (`SUCCESS`) by default. */
  body?: string;
  /** Each answer waits for this (the request is recorded at once). */
  hold?: Promise<void>;
}

/** A callback receiver on 127.0.0.1: records every request, answers as told. */
export async function startReceiver(opts: ReceiverOptions = {}): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // kept as text
      }
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: parsed });
      await opts.hold;
      res.writeHead(opts.status ?? 200, { 'content-type': 'text/plain' });
      res.end(opts.body ?? String(cat.profiles.alchemy.wire['callbackAck']));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** POST to the mock's admin surface (`/__mock/...`), as the pact verifier and other processes do. */
export async function adminPost(url: string, path: string, body: unknown): Promise<unknown> {
  const res = await request(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${path}: HTTP ${res.statusCode} ${text}`);
  return JSON.parse(text);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
