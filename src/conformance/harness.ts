/**
 * What a suite file works with: the session's clients, the callback receiver, the mock's admin surface
 * (embedded targets only), a bounded pool for concurrent requests, and `conformance(...)`, the one way
 * to declare a test: it names the rules it decides, records findings as task meta for the report, and
 * fails on a MUST or SHOULD failure. A target failure becomes an `error` finding, never a crash.
 */
import { request } from 'undici';
import { describe, inject, it } from 'vitest';
import type { GenContext } from '../../properties/generate.ts';
import type { AlchemyClient } from '../client/alchemy.ts';
import type { GepClient } from '../client/gep.ts';
import type { CallResult } from '../client/types.ts';
import { catalogue } from '../spec/catalogue.ts';
import { msSinceMidnightIn, todayIn } from '../spec/evaluate.ts';
import type { Provider } from '../spec/registry.ts';
import { errorLine, WireError } from '../wire/errors.ts';
import { hash32 } from '../wire/hash.ts';
import { createTransport } from '../wire/http.ts';
import { createRedactor, type Redactor } from '../wire/redact.ts';
import { type EvidenceParts, evidenceOf } from './evidence.ts';
import { type Evidence, type Finding, Findings } from './findings.ts';
import type { ReceivedCallback } from './receiver.ts';
import { connectClients, type SharedSession } from './session.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    conformance: SharedSession;
  }
  export interface TaskMeta {
    /** Rule ids the test decides. */
    rules?: string[];
    findings?: Finding[];
    /** Cases the test generated. */
    cases?: number;
    /** Requests the test sent to the target. */
    requests?: number;
    provider?: Provider;
  }
}

export interface Admin {
  state(): Promise<Record<string, Record<string, unknown>>>;
  post(path: string, body: unknown): Promise<void>;
}

export interface Harness {
  s: SharedSession;
  alchemy: AlchemyClient | undefined;
  gep: GepClient | undefined;
  redactor: Redactor;
  /** The mock's admin surface; undefined against a sandbox. */
  admin: Admin | undefined;
  /** The exchange as evidence; `parts` adds the case's replay (seed, path), its note and what the rule expected. */
  evidence(result: CallResult, message: string, parts?: EvidenceParts): Evidence;
  /** Callbacks received for one order number so far. */
  received(key: string): Promise<ReceivedCallback[]>;
  gen(provider: Provider): GenContext;
  /** A fresh unique token for order numbers: run, suite file and a counter (the same for the same seed). */
  unique(): string;
  /** Set per suite file, so two files never mint the same order number. */
  fileTag: string;
  /** Run `fn` over `items`, at most `concurrency` at a time. */
  pool<T>(items: readonly T[], fn: (item: T, index: number) => Promise<void>): Promise<void>;
  /**
   * Today in the provider's time zone, on the provider's clock, taken when a case is sent: first waits
   * out the guard band around the provider's midnight, so no date-window case straddles it.
   */
  dayOf(provider: Provider): Promise<string>;
  /** Poll `probe` until it returns a value or the session's wait bound passes (then undefined). */
  until<T>(probe: () => Promise<T | undefined>, intervalMs?: number): Promise<T | undefined>;
}

const DAY_MS = 86_400_000;

/** How long to wait, at `msOfDay` on the provider's wall clock, to be `guardMs` clear of its midnight. */
export const guardWaitMs = (msOfDay: number, guardMs: number): number =>
  msOfDay < guardMs ? guardMs - msOfDay : msOfDay > DAY_MS - guardMs ? DAY_MS - msOfDay + guardMs : 0;

let current: Harness | undefined;
let counter = 0;
let requests = 0;

export function harness(): Harness {
  if (current) return current;
  const s = inject('conformance');
  const transport = createTransport(s.limits);
  const clients = connectClients(s, transport);
  // every client method counts its requests, for the report and the benchmark
  const counted = <T extends object>(c: T | undefined): T | undefined =>
    c &&
    new Proxy(c, {
      get: (target, key) => {
        const v = Reflect.get(target, key);
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          requests++;
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  const redactor = createRedactor({ secrets: s.secrets, keep: s.identifiers ?? [] });
  const admin: Admin | undefined = s.adminUrl
    ? {
        async state() {
          const r = await request(`${s.adminUrl}/__mock/state`, { method: 'POST', body: '{}' });
          return (await r.body.json()) as Record<string, Record<string, unknown>>;
        },
        async post(path, body) {
          const r = await request(`${s.adminUrl}/__mock/${path}`, { method: 'POST', body: JSON.stringify(body) });
          await r.body.text();
        },
      }
    : undefined;
  current = {
    s,
    alchemy: counted(clients.alchemy),
    gep: counted(clients.gep),
    redactor,
    admin,
    evidence: (result, message, parts) => evidenceOf(result, message, parts ?? {}, { redactor }),
    async received(key) {
      const r = await request(`${s.receiverUrl}/__received?key=${encodeURIComponent(key)}`);
      return (await r.body.json()) as ReceivedCallback[];
    },
    gen: (provider) => ({ mode: s.settings.mode, today: s.today[provider], knownValues: { segmentList: s.segments } }),
    fileTag: 'f',
    unique: () => `${s.runId}${current!.fileTag}n${(counter++).toString(36)}`,
    async pool(items, fn) {
      let next = 0;
      const worker = async () => {
        while (next < items.length) {
          const i = next++;
          await fn(items[i]!, i);
        }
      };
      await Promise.all(Array.from({ length: Math.min(s.settings.concurrency, items.length) }, worker));
    },
    async dayOf(provider) {
      const zone = catalogue().profiles[provider].timeZone;
      const guard = s.settings.midnightGuardMs;
      const at = () => new Date(Date.now() + s.clockOffsetMs[provider]);
      const wait = guardWaitMs(msSinceMidnightIn(zone, at()), guard);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      return todayIn(zone, at());
    },
    async until(probe, intervalMs = s.pollMs) {
      const end = Date.now() + s.waitMs;
      for (;;) {
        const v = await probe();
        if (v !== undefined) return v;
        if (Date.now() >= end) return undefined;
        await new Promise((r) => setTimeout(r, intervalMs));
      }
    },
  };
  return current;
}

/** Providers this run tests (a file for another provider is skipped whole). */
export const inScope = (provider: Provider): boolean => inject('conformance').settings.providers.includes(provider);

/** The level of a rule, for deciding which failures fail a test. */
const levelOf = (id: string) => catalogue().byId.get(id)?.level;

/**
 * Declare one conformance test. `rules` are the ids it decides (its tags); a finding about any other
 * rule is a bug in the suite and fails the test.
 */
export function conformance(
  provider: Provider,
  name: string,
  declared: readonly string[] | (() => readonly string[]),
  fn: (f: Findings, h: Harness) => Promise<number | undefined>,
  timeout = 120_000,
) {
  describe.skipIf(!inScope(provider))(provider, () => {
    it(
      name,
      async ({ task }) => {
        // derived lists are computed only when the provider is tested
        const rules = typeof declared === 'function' ? declared() : declared;
        for (const id of rules) if (!catalogue().byId.has(id)) throw new Error(`${name}: no rule ${id} in the catalogue`);
        const h = harness();
        h.fileTag = `f${hash32(task.file.name).toString(36)}`;
        counter = 0; // order numbers depend on the file and the case, not on which worker ran what before
        requests = 0;
        const f = new Findings();
        task.meta.rules = [...rules];
        task.meta.provider = provider;
        const control = h.s.control[provider];
        try {
          if (!control?.ok) {
            for (const id of rules) f.error(id, `positive control failed: ${control?.reason ?? 'not run'}`);
            throw new Error(`positive control failed for ${provider}: ${control?.reason ?? 'not run'}`);
          }
          try {
            const cases = await fn(f, h);
            if (typeof cases === 'number') task.meta.cases = cases;
          } catch (err) {
            const line = errorLine(err, h.redactor);
            for (const id of rules) f.error(id, err instanceof WireError ? `target failure: ${line}` : `suite error: ${line}`);
            throw new Error(line);
          }
        } finally {
          task.meta.findings = f.list();
          task.meta.requests = requests;
        }
        const stray = f.list().filter((x) => !rules.includes(x.ruleId));
        if (stray.length) throw new Error(`${name}: findings for undeclared rules ${stray.map((x) => x.ruleId).join(', ')}`);
        const fatal = f.fatal(levelOf);
        if (fatal.length) {
          const lines = fatal.map(
            (x) => `${x.ruleId}: ${x.verdict}${x.evidence[0] ? ` — ${x.evidence[0].message}` : x.reason ? ` — ${x.reason}` : ''}`,
          );
          throw new Error(`${fatal.length} rule(s) broken:\n${lines.join('\n')}`);
        }
      },
      timeout,
    );
  });
}

/** A call that may fail on the transport: the failure comes back as a value, for an `error` finding. */
export async function attempt(call: () => Promise<CallResult>, h: Harness): Promise<CallResult | { error: string }> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof WireError) return { error: errorLine(err, h.redactor) };
    throw err;
  }
}
