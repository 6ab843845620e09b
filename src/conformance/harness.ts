/**
 * What a suite file works with: the session's clients, the callback receiver, the mock's admin surface
 * (embedded targets only), a bounded pool for concurrent requests, and `conformance(...)`, the one way
 * to declare a test: it names the rules it decides, records findings as task meta for the report, and
 * fails on a MUST or SHOULD failure. A target failure becomes an `error` finding, never a crash.
 */
import { describe, inject, it, type RunnerTestCase } from 'vitest';
import type { GenContext } from '../../properties/generate.ts';
import type { AlchemyClient } from '../client/alchemy.ts';
import type { GepClient } from '../client/gep.ts';
import { moneyOf } from '../client/money.ts';
import type { CallResult } from '../client/types.ts';
import { catalogue } from '../spec/catalogue.ts';
import { msSinceMidnightIn, todayIn } from '../spec/evaluate.ts';
import type { Provider } from '../spec/registry.ts';
import { errorLine, WireError } from '../wire/errors.ts';
import { hash32 } from '../wire/hash.ts';
import { createTransport, onRequest, RETRIED_STATUSES, type RequestGate } from '../wire/http.ts';
import { createRedactor, type Redactor } from '../wire/redact.ts';
import { undici } from '../wire/undici.ts';
import { isBudgetExhausted, isSpendRefusal, remoteGate } from './budget.ts';
import { CardLedger, type OpenedCard } from './cards.ts';
import { genOf } from './case-lists.ts';
import { connectClients } from './clients.ts';
import { type EvidenceParts, evidenceOf } from './evidence.ts';
import { type Evidence, type Finding, Findings } from './findings.ts';
import { beat, running } from './heartbeat.ts';
import { orderToken } from './ids.ts';
import { envelopeOf } from './judge.ts';
import type { ReceivedCallback } from './receiver.ts';
import type { SelfcheckTarget } from './selfcheck.ts';
import type { SharedSession } from './session.ts';
import { mark } from './timings.ts';
import { FAST_POLL_MS, nextPollMs, testTimeoutMs, watchIntervals } from './waits.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    conformance: SharedSession;
    /**
     * A selfcheck's targets: one session per deviation and seed (and the faithful mock per seed). Each
     * suite test is declared once per target whose deviation breaks one of its rules.
     */
    selfcheck?: SelfcheckTarget[];
  }
  export interface TaskMeta {
    /** In a selfcheck: the target the test ran against. */
    target?: string;
    /** Rule ids the test decides. */
    rules?: string[];
    findings?: Finding[];
    /** Cases the test generated. */
    cases?: number;
    /** Requests the test sent to the target. */
    requests?: number;
    /** Cards the test's creates/applies opened (or may have: outcome unknown); no card data. */
    cards?: OpenedCard[];
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
  /**
   * A fresh unique token for order numbers, hashed from the run id, the seed, the suite file and test, and
   * a counter or `key` (a case's index) so that a case's order number does not depend on the order cases
   * happen to be sent in (ids.ts `orderToken`).
   */
  unique(key?: string): string;
  /** Set per suite file and test, so two tests never mint the same order number. */
  fileTag: string;
  /** Run `fn` over `items`, at most `concurrency` at a time. */
  pool<T>(items: readonly T[], fn: (item: T, index: number) => Promise<void>): Promise<void>;
  /**
   * Today in the provider's time zone, on the provider's clock, taken when a case is sent: first waits
   * out the guard band around the provider's midnight, so no date-window case straddles it.
   */
  dayOf(provider: Provider): Promise<string>;
  /**
   * Poll `probe` until it returns a value or the wait bound passes (then undefined): `deadline` (a
   * `Date.now()` value, from `h.deadline()` when the create was answered) or the session's wait from now.
   * The probe runs at least once. The pace starts fast and doubles up to the poll interval; `changed`
   * (what the last probe saw, as text) starts it over whenever it differs from the look before.
   */
  until<T>(
    probe: () => Promise<T | undefined>,
    opts?: { deadline?: number; intervalMs?: number; changed?: () => string | undefined },
  ): Promise<T | undefined>;
  /** When an asynchronous outcome that starts now must have settled: now + the wait bound. */
  deadline(): number;
  /**
   * Watch a final state: `read` at the pace of a change just seen (fast, doubling up to the poll interval)
   * through the stability window (`watchIntervals`, at least `MIN_STABILITY_POLLS` readings); every reading.
   */
  watch<T>(read: () => Promise<T>): Promise<T[]>;
}

const DAY_MS = 86_400_000;

/** How long to wait, at `msOfDay` on the provider's wall clock, to be `guardMs` clear of its midnight. */
export const guardWaitMs = (msOfDay: number, guardMs: number): number =>
  msOfDay < guardMs ? guardMs - msOfDay : msOfDay > DAY_MS - guardMs ? DAY_MS - msOfDay + guardMs : 0;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const harnesses = new Map<string, Harness>();
let collecting = false;
let counter = 0;
let requests = 0;
/** The cards the current test opened (tests of one worker run one at a time). */
const ledger = new CardLedger();

// requests this worker's transports really sent (after the budget gate; retries included), for the report and the benchmark
onRequest(() => {
  requests++;
});

/** The harness of the run's session (the one target of an ordinary run). */
export const harness = (): Harness => harnessFor(inject('conformance'));

/** The harness of one session: its clients, redactor, admin surface, made once per session and worker. */
export function harnessFor(s: SharedSession): Harness {
  const key = s.label ?? s.runId;
  const known = harnesses.get(key);
  if (known) return known;
  // every request of this worker passes the run's one budget ledger, when the run has budgets
  const gate = s.budgetUrl ? remoteGate(s.budgetUrl) : undefined;
  const transport = createTransport(s.limits, gate);
  const clients = connectClients(s, transport);
  // every client call beats the heartbeat and notes every card a create/apply opened (the report's `cards`);
  // the requests are counted where they are sent (the transport)
  const counted = <T extends object>(provider: Provider, c: T | undefined): T | undefined =>
    c &&
    new Proxy(c, {
      get: (target, key) => {
        const v = Reflect.get(target, key);
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          beat();
          const [operation, body] = key === 'call' ? [String(args[0]), args[1]] : [String(key), args[0]];
          const sent = (v as (...a: unknown[]) => Promise<CallResult>).apply(target, args);
          return sent.then(
            async (r) => {
              ledger.note(provider, operation, r?.request?.body ?? body, r);
              if (gate?.release) await releaseIfRefused(gate, provider, operation, r?.request?.body ?? body, r);
              // still "not now" once the ride-out window passed: never an answer to judge, in any suite or watch
              if (r && RETRIED_STATUSES.has(r.status)) throw transientError(r);
              return r;
            },
            (err: unknown) => {
              ledger.note(provider, operation, body, undefined, err);
              throw err;
            },
          );
        };
      },
    });
  const redactor = createRedactor({ secrets: s.secrets, keep: s.identifiers ?? [] });
  const admin: Admin | undefined = s.adminUrl
    ? {
        async state() {
          const r = await undici().request(`${s.adminUrl}/__mock/state`, { method: 'POST', body: '{}' });
          return (await r.body.json()) as Record<string, Record<string, unknown>>;
        },
        async post(path, body) {
          const r = await undici().request(`${s.adminUrl}/__mock/${path}`, { method: 'POST', body: JSON.stringify(body) });
          await r.body.text();
        },
      }
    : undefined;
  const current: Harness = {
    s,
    alchemy: counted('alchemy', clients.alchemy),
    gep: counted('gep', clients.gep),
    redactor,
    admin,
    evidence: (result, message, parts) => evidenceOf(result, message, parts ?? {}, { redactor }),
    async received(key) {
      const r = await undici().request(`${s.receiverUrl}/__received?key=${encodeURIComponent(key)}`);
      return (await r.body.json()) as ReceivedCallback[];
    },
    gen: (provider) => genOf(s, provider),
    fileTag: 'f',
    unique: (key) => orderToken(s.runId, s.settings.seed, current.fileTag, key === undefined ? `n${(counter++).toString(36)}` : key),
    async pool(items, fn) {
      let next = 0;
      // the first failure stops new items; the ones in flight finish (a request admitted by a budget is sent
      // and answered, its card noted) before the test ends with that failure
      let failed: { err: unknown } | undefined;
      const worker = async () => {
        while (next < items.length && !failed) {
          const i = next++;
          beat();
          try {
            await fn(items[i]!, i);
          } catch (err) {
            failed ??= { err };
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(s.settings.concurrency, items.length) }, worker));
      if (failed) throw failed.err;
    },
    async dayOf(provider) {
      const zone = catalogue().profiles[provider].timeZone;
      const guard = s.settings.midnightGuardMs;
      const at = () => new Date(Date.now() + s.clockOffsetMs[provider]);
      // waiting out the guard band is progress: it beats as it waits
      for (let wait = guardWaitMs(msSinceMidnightIn(zone, at()), guard); wait > 0; wait -= 1000) {
        beat();
        await sleep(Math.min(wait, 1000));
      }
      return todayIn(zone, at());
    },
    async until(probe, { deadline, intervalMs = s.pollMs, changed } = {}) {
      const end = deadline ?? Date.now() + s.waitMs;
      const fast = Math.min(s.fastPollMs ?? FAST_POLL_MS, intervalMs);
      let interval = fast;
      let seen = changed?.();
      for (let first = true; ; first = false) {
        beat();
        const v = await probe();
        if (v !== undefined) return v;
        if (Date.now() >= end) return undefined;
        const now = changed?.();
        if (!first) interval = nextPollMs(interval, now !== seen, fast, intervalMs);
        seen = now;
        await sleep(Math.min(interval, Math.max(0, end - Date.now())));
      }
    },
    deadline: () => Date.now() + s.waitMs,
    async watch(read) {
      // A fixed number of readings at the pace of a change just seen, spanning the window: how many does not
      // depend on how long each read took (a report's checks and a run's requests are the same run to run).
      const out: Awaited<ReturnType<typeof read>>[] = [];
      for (const interval of watchIntervals(s.stabilityMs, s.fastPollMs ?? FAST_POLL_MS, s.pollMs)) {
        await sleep(interval);
        beat();
        out.push(await read());
      }
      return out;
    },
  };
  harnesses.set(key, current);
  return current;
}

/** Providers this run tests (a file for another provider is skipped whole). */
export const inScope = (provider: Provider): boolean => inject('conformance').settings.providers.includes(provider);

/** The level of a rule, for deciding which failures fail a test. */
const levelOf = (id: string) => catalogue().byId.get(id)?.level;

/**
 * Declare one conformance test. `rules` are the ids it decides (its tags); a finding about any other
 * rule is a bug in the suite and fails the test. `waits`: how many asynchronous outcomes the test waits
 * for one after the other (each bounded by the wait and followed by the stability window); its vitest
 * timeout is derived from them, so a bound that passes is a rule's `fail`, never a test timeout.
 * `ready`: awaited before the rules are derived and the test runs (a property test's case lists, predraw.ts).
 */
export function conformance(
  provider: Provider,
  name: string,
  declared: readonly string[] | (() => readonly string[]),
  fn: (f: Findings, h: Harness) => Promise<number | undefined>,
  { waits = 0, ready }: { waits?: number; ready?: (h: Harness) => Promise<void> } = {},
) {
  if (!collecting) mark('worker-graph'); // the first suite file this worker collects: its module graph is loaded
  collecting = true;
  const timeout = testTimeoutMs(inject('conformance'), waits);
  // a literal rule list is known to the reporter from collection on (the watchdog names a stuck test's rules)
  const meta = typeof declared === 'function' ? { provider } : { provider, rules: [...declared] };
  const targets = inject('selfcheck');
  if (targets) {
    // a selfcheck: this test once per target of the provider whose deviation breaks a rule it decides
    const rules = typeof declared === 'function' ? declared() : declared;
    describe(provider, () => {
      for (const t of targets) {
        if (t.provider !== undefined && t.provider !== provider) continue;
        if (t.ruleId !== undefined && !rules.includes(t.ruleId)) continue;
        const h = () => harnessFor(t.session);
        it(`${name} [${t.label}]`, { timeout, meta: { ...meta, target: t.label } }, ({ task }) =>
          decide(task, h(), provider, name, rules, fn),
        );
      }
    });
    return;
  }
  describe.skipIf(!inScope(provider))(provider, () => {
    // derived lists are computed only when the provider is tested
    it(name, { timeout, meta }, async ({ task }) => {
      const h = harness();
      await ready?.(h);
      return decide(task, h, provider, name, typeof declared === 'function' ? declared() : declared, fn);
    });
  });
}

/** One conformance test against one target: its findings as task meta, failing on a MUST or SHOULD failure. */
async function decide(
  task: RunnerTestCase,
  h: Harness,
  provider: Provider,
  name: string,
  rules: readonly string[],
  fn: (f: Findings, h: Harness) => Promise<number | undefined>,
): Promise<void> {
  for (const id of rules) if (!catalogue().byId.has(id)) throw new Error(`${name}: no rule ${id} in the catalogue`);
  h.fileTag = `f${hash32(task.file.name).toString(36)}t${hash32(task.name).toString(36)}`;
  counter = 0; // order numbers depend on the file, the test and the case, not on which worker ran what before
  requests = 0;
  ledger.clear();
  const f = new Findings();
  task.meta.rules = [...rules];
  task.meta.provider = provider;
  running({ test: name, provider, rules: [...rules] });
  const control = h.s.control[provider];
  // a valid request the control sent was refused as a request: the rule that valid requests are accepted
  // fails on it (exit 1), in the test that decides that rule
  const accepts = rules.find((id) => catalogue().byId.get(id)?.check.kind === 'acceptsValid');
  if (control?.refusedValid && accepts) f.fail(accepts, control.refusedValid);
  try {
    if (!control?.ok && control?.reason?.startsWith('budget:')) {
      // the positive control was cut by a budget: nothing here can be decided within it
      f.cut(rules, control.reason);
      return;
    }
    if (!control?.ok) {
      for (const id of rules)
        if (id !== accepts || !control?.refusedValid) f.error(id, `positive control failed: ${control?.reason ?? 'not run'}`);
      throw new Error(`positive control failed for ${provider}: ${control?.reason ?? 'not run'}`);
    }
    try {
      const cases = await fn(f, h);
      if (typeof cases === 'number') task.meta.cases = cases;
    } catch (err) {
      // a budget ran out: the request was never sent; what this test had not decided is skipped, not an error
      if (!isBudgetExhausted(err)) {
        const line = errorLine(err, h.redactor);
        for (const id of rules) f.error(id, err instanceof WireError ? `target failure: ${line}` : `suite error: ${line}`);
        throw new Error(line);
      }
      // a spend refusal is a case's own amount above the budget (known before it was sent): an exclusion
      f.cut(rules, err.message, isSpendRefusal(err));
    }
  } finally {
    task.meta.findings = f.list();
    task.meta.requests = requests;
    task.meta.cards = ledger.list();
    running(undefined);
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
}

/** A 429/502-504 that outlived the ride-out window: a target failure naming the call, never the provider's answer. */
const transientError = (r: CallResult) =>
  new WireError(
    { provider: r.provider, operation: r.operation, url: r.request.url },
    'http-status',
    `HTTP ${r.status} after ${r.attempts} attempt(s) (rate limited or unavailable past the ride-out window)`,
    { status: r.status, attempts: r.attempts },
  );

/** A call that may fail on the transport: the failure comes back as a value, for an `error` finding. */
export async function attempt(call: () => Promise<CallResult>, h: Harness): Promise<CallResult | { error: string; undecided?: true }> {
  try {
    const r = await call();
    // an authentication refusal of a request that did not touch authentication: nothing to judge, no failure
    // (a 429/503 past the ride-out window never comes back as an answer: the harness's clients throw it)
    if (r.undecided !== undefined) return { error: `${r.provider} ${r.operation}: ${r.undecided}`, undecided: true };
    return r;
  } catch (err) {
    if (err instanceof WireError) return { error: errorLine(err, h.redactor) };
    throw err;
  }
}

/**
 * A spend budget counts a request's money when it is sent; a clear refusal (the provider's failure
 * envelope, with a code, no transport problem, no 5xx) moved none, so its money is given back. An unclear
 * answer (a timeout, garbage, a 5xx) keeps it counted: it may have moved.
 */
async function releaseIfRefused(gate: RequestGate, provider: Provider, operation: string, body: unknown, r: CallResult | undefined) {
  if (!r || r.problem || r.status >= 500) return;
  const money = moneyOf(provider, operation, body);
  if (!money || money.amount <= 0) return;
  let e: ReturnType<ReturnType<typeof envelopeOf>['read']>;
  try {
    e = envelopeOf(provider, operation).read(r);
  } catch {
    return;
  }
  if (e.ok && !e.accepted && e.code !== undefined) await gate.release!(money);
}
