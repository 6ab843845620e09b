/**
 * A conformance session, prepared once per run (vitest's global setup) and handed to every suite file:
 * the targets (a configured sandbox, or the embedded mock), the callback receiver, and the positive
 * control — valid requests that must succeed before any negative test may count.
 */

import { type KeyObject, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { hasDateWindow, shiftDates } from '../../properties/cases.ts';
import { type GenContext, validObject } from '../../properties/generate.ts';
import { planOf } from '../../properties/plan.ts';
import { evaluate } from '../checks/registry.ts';
import { daysBetween } from '../checks/util.ts';
import { authenticationRefusal } from '../client/answer.ts';
import type { CallResult } from '../client/types.ts';
import { type Config, loadConfig } from '../config/env.ts';
import { isLoopbackUrl, type TargetKind, targetKinds } from '../config/target-kind.ts';
import { resolveFaults } from '../mock/faults.ts';
import { resolveLeeway } from '../mock/leeway.ts';
import { type RunningMock, startMock } from '../mock/server.ts';
import { catalogue } from '../spec/catalogue.ts';
import { relativePath, todayIn } from '../spec/evaluate.ts';
import type { Provider } from '../spec/registry.ts';
import { errorLine, WireError } from '../wire/errors.ts';
import { createTransport, onRequest, type RequestGate } from '../wire/http.ts';
import { createRedactor } from '../wire/redact.ts';
import { BudgetLedger, hasBudgets, isBudgetExhausted, localGate, publishLedger, readBudgetLimits, serveLedger } from './budget.ts';
import { CardLedger, type OpenedCard } from './cards.ts';
import { genOf, runLists } from './case-lists.ts';
import { connectClients } from './clients.ts';
import { evidenceOf } from './evidence.ts';
import type { Evidence } from './findings.ts';
import { beat } from './heartbeat.ts';
import { orderToken, uniquify } from './ids.ts';
import { envelopeOf } from './judge.ts';
import { openPredraw, type Predraw } from './predraw.ts';
import { type PreflightReport, preflight } from './preflight.ts';
import { defaultProfile, smallestAmounts, smokePollMs } from './profile.ts';
import { startReceiver } from './receiver.ts';
import { reconcile } from './reconcile.ts';
import { readSettings, type Settings } from './settings.ts';
import { mark } from './timings.ts';
import { defaultStabilityMs, defaultWaitMs, FAST_POLL_MS } from './waits.ts';

export interface SharedAlchemy {
  baseUrl: string;
  accessKey: string;
  secretKey: string;
  email: string;
  language?: string;
}
export interface SharedGep {
  baseUrl: string;
  userNo: string;
  certificateId: string;
  merchantPrivatePem: string;
  platformPublicPem: string;
}

export interface Control {
  ok: boolean;
  reason?: string;
  accepted: number;
  sent: number;
  /** Every request the control sent the provider (its creates/applies, look-ups and reconciliations). */
  requests?: number;
  /**
   * A valid request of the control (the document's own example first) refused as a request, not as the
   * merchant's: `acceptsValid` fails with this evidence (exit 1), whether or not another was accepted.
   */
  refusedValid?: Evidence;
}

/** What every suite file receives (vitest `provide`): plain data, keys as PEM. */
export interface SharedSession {
  /** In a selfcheck, which target this session tests (`faithful@1`, `<deviation>@2`); absent in a run. */
  label?: string;
  settings: Settings;
  runId: string;
  /** `kind`: 'mock' | 'sandbox' | 'production' (config/target-kind.ts), what profiles and budgets key on. */
  alchemy?: SharedAlchemy & { embedded: boolean; kind: TargetKind };
  gep?: SharedGep & { embedded: boolean; kind: TargetKind };
  adminUrl?: string;
  /** Base of the callbackUrl the suite sends (`<base>/cb/<orderNo>`). */
  callbackBase: string;
  /**
   * Why no callback can reach the receiver (a target off loopback and no ALCHEMY_CALLBACK_URL): the
   * callback rules are then `skipped` with it and the lifecycle is judged through `info` alone.
   */
  callbackSkip?: string;
  receiverUrl: string;
  control: Partial<Record<Provider, Control>>;
  limits: Config['limits'];
  secrets: string[];
  /** Configured identifiers that are not card numbers though they may pass Luhn (GEP userNo, certificateId). */
  identifiers?: string[];
  today: Record<Provider, string>;
  /** Provider clock minus real clock, ms: non-zero only for an embedded provider whose clock was pinned. */
  clockOffsetMs: Record<Provider, number>;
  segments: string[];
  /** Real ms between two looks at an asynchronous outcome, and the most to wait for one (from the create's answer). */
  pollMs: number;
  /** The first poll interval after a change (FAST_POLL_MS, or the poll interval where that is shorter). */
  fastPollMs?: number;
  waitMs: number;
  /** Real ms a final status is watched after it is first seen. */
  stabilityMs: number;
  /** The run's budget ledger (src/conformance/budget.ts), asked before every request; absent: no budgets. */
  budgetUrl?: string;
}

/** The part of a session a report may show: no secret, no key. */
export interface SessionSummary {
  settings: Settings;
  /** The run id order numbers were derived from (printed at the start). */
  runId?: string;
  target: Partial<Record<Provider, { url: string; embedded: boolean; kind: TargetKind }>>;
  /** Cards the positive control opened (the suites' own come through their tests' meta). */
  cards?: OpenedCard[];
  control: Partial<Record<Provider, Control>>;
  /** Configured identifiers the report's last redaction pass leaves alone (not secrets, not cards). */
  identifiers?: string[];
  /** Before the first case against a non-mock target: reachability and clock skew per provider. */
  preflight?: PreflightReport;
}

/**
 * The run's session summary, handed from the global setup to the run's reporter in the same process.
 * Not an environment variable: the environment is copied into every worker, and one variable over
 * 128 KiB (Linux's MAX_ARG_STRLEN) makes every worker's spawn fail. A global slot, since the global setup
 * and the reporter may hold two instances of this module (vite's module runner and Node's loader).
 */
const SUMMARY_SLOT = Symbol.for('card-conformance.session-summary');
/**
 * More control samples, at most, while every answer was "pending" (GEP answers about one apply in ten
 * so): a pending answer has no result to read, and six in a row with nothing read is then the target's way.
 */
const PENDING_EXTRA = 4;
export function publishSessionSummary(summary: SessionSummary): void {
  (globalThis as Record<symbol, unknown>)[SUMMARY_SLOT] = summary;
}
export function sessionSummary(): SessionSummary | undefined {
  return (globalThis as Record<symbol, unknown>)[SUMMARY_SLOT] as SessionSummary | undefined;
}

export interface OpenedSession {
  shared: SharedSession;
  summary: SessionSummary;
  close: () => Promise<void>;
}

let early: Promise<OpenedSession> | undefined;

/**
 * `run`, from the CLI's build, opens the session while vitest starts: the embedded mock, its keys and the
 * positive control overlap vitest's own start-up instead of following it. The global setup takes it over
 * (`takeEarlySession`): from the build it loads this same module instance (src/conformance/from-build.ts).
 * Returns what closes the session if the global setup never took it (vitest stopped before it).
 */
export function openSessionEarly(env: NodeJS.ProcessEnv = process.env): () => Promise<void> {
  // the property suites' lists are drawn on a thread of this process while vitest starts (predraw.ts)
  const opening = openSession(env, openPredraw(env));
  // a failure is the global setup's to report, as if it had opened the session itself
  opening.catch(() => undefined);
  early = opening;
  return async () => {
    if (early !== opening) return;
    early = undefined;
    await opening.then(
      (s) => s.close(),
      () => undefined,
    );
  };
}

/** The session `openSessionEarly` is opening, handed over once; undefined when there is none. */
export function takeEarlySession(): Promise<OpenedSession> | undefined {
  const opening = early;
  early = undefined;
  return opening;
}

/**
 * Opens the run's session. `predraw`: the run's drawing thread, started with the property suites' lists
 * as soon as their inputs are known (after the segment list), and closed with the session.
 */
export async function openSession(env: NodeJS.ProcessEnv = process.env, predraw?: Predraw): Promise<OpenedSession> {
  try {
    return await openSessionWith(env, predraw);
  } catch (err) {
    await predraw?.close();
    throw err;
  }
}

async function openSessionWith(env: NodeJS.ProcessEnv, predraw: Predraw | undefined): Promise<OpenedSession> {
  mark('session-start');
  const settings = readSettings(env);
  const config = loadConfig(env);
  // target truth: `--target sandbox` never falls back to the mock, a production host needs --allow-production
  const kinds = targetKinds(settings.providers, Object.fromEntries(settings.providers.map((p) => [p, config[p].target?.baseUrl])), env, {
    choice: settings.target,
    allowProduction: settings.allowProduction,
  });
  const needMock = settings.providers.some((p) => !config[p].target);
  let mock: RunningMock | undefined;
  if (needMock) {
    const start = Date.now();
    const pinned = settings.mockNow;
    mock = await startMock({
      deviations: settings.deviate,
      timeScale: settings.timeScale,
      seed: settings.seed,
      admin: true,
      schemaMode: settings.mockMode,
      faults: resolveFaults(settings.mockFaults),
      leeway: resolveLeeway(settings.mockLeeway),
      ...(pinned !== undefined ? { now: () => pinned + (Date.now() - start) } : {}),
    });
  }
  mark('mock-ready');
  const offsetOf = (p: Provider) => (!config[p].target && settings.mockNow !== undefined ? settings.mockNow - Date.now() : 0);
  const clockOffsetMs = { alchemy: offsetOf('alchemy'), gep: offsetOf('gep') };
  const receiver = await startReceiver(settings.callbackPort, String(catalogue().profiles.alchemy.wire['callbackAck']));
  const external = settings.providers.some((p) => config[p].target);
  settings.profile ??= defaultProfile(external);
  const smoke = settings.profile === 'smoke';
  const waitMs =
    settings.waitMs ??
    defaultWaitMs(
      settings.providers.filter((p) => config[p].target),
      settings.providers.filter((p) => !config[p].target),
      settings.timeScale,
    );
  // smoke looks at an asynchronous outcome a bounded number of times per wait, and watches a final state the fewest polls
  const basePollMs = settings.pollMs ?? (external ? 1000 : 3);
  const pollMs = smoke && settings.pollMs === undefined ? smokePollMs(waitMs, basePollMs) : basePollMs;
  const runId = settings.runId ?? newRunId();
  const alchemyUrl = settings.providers.includes('alchemy') ? config.alchemy.target?.baseUrl : undefined;
  const callbackUrl = config.alchemy.target?.callbackUrl;
  const callbackSkip = callbackSkipReason(alchemyUrl, callbackUrl, settings.callbacks);
  const shared: SharedSession = {
    settings,
    runId,
    callbackBase: callbackUrl?.replace(/\/+$/, '') ?? receiver.url,
    ...(callbackSkip ? { callbackSkip } : {}),
    receiverUrl: receiver.url,
    control: {},
    limits: config.limits,
    secrets: [...config.secrets, ...(mock ? [mock.client.alchemy.secretKey] : [])],
    today: {
      alchemy: todayIn(catalogue().profiles.alchemy.timeZone, new Date(Date.now() + clockOffsetMs.alchemy)),
      gep: todayIn(catalogue().profiles.gep.timeZone, new Date(Date.now() + clockOffsetMs.gep)),
    },
    clockOffsetMs,
    segments: [],
    pollMs,
    fastPollMs: Math.min(FAST_POLL_MS, basePollMs),
    waitMs,
    // the window a final state is watched: watched at the pace of a change just seen, so smoke's slow cap
    // between changes does not stretch it (a flicker right after the final status is seen in it)
    stabilityMs: settings.stabilityMs ?? defaultStabilityMs(basePollMs),
  };
  if (mock) shared.adminUrl = mock.url;
  if (settings.providers.includes('alchemy')) {
    const t = config.alchemy.target;
    shared.alchemy = t
      ? {
          baseUrl: t.baseUrl,
          accessKey: t.accessKey,
          secretKey: t.secretKey,
          email: t.email,
          ...(t.language ? { language: t.language } : {}),
          embedded: false,
          kind: kinds.alchemy!,
        }
      : { baseUrl: mock!.url, ...mock!.client.alchemy, embedded: true, kind: 'mock' };
  }
  if (settings.providers.includes('gep')) {
    const t = config.gep.target;
    const pem = (k: KeyObject, type: 'pkcs8' | 'spki') => String(k.export({ type, format: 'pem' }));
    if (t) {
      shared.gep = {
        baseUrl: t.baseUrl,
        userNo: t.userNo,
        certificateId: t.certificateId,
        merchantPrivatePem: pem(t.merchantPrivateKey, 'pkcs8'),
        platformPublicPem: pem(t.platformPublicKey, 'spki'),
        embedded: false,
        kind: kinds.gep!,
      };
    } else {
      const g = mock!.client.gep!;
      shared.gep = {
        baseUrl: mock!.url,
        userNo: g.userNo,
        certificateId: g.certificateId,
        merchantPrivatePem: g.merchantPrivatePem,
        platformPublicPem: g.platformPublicPem,
        embedded: true,
        kind: 'mock',
      };
    }
  }
  if (shared.gep) shared.identifiers = [shared.gep.userNo, shared.gep.certificateId];
  const cards = new CardLedger();
  // one budget for the whole run, in this process; the suites' workers ask it over loopback
  const limits = readBudgetLimits(env, external);
  const budget = hasBudgets(limits) ? new BudgetLedger(limits) : undefined;
  const served = budget ? await serveLedger(budget) : undefined;
  publishLedger(budget);
  if (served) shared.budgetUrl = served.url;
  const gate = budget ? localGate(budget) : undefined;
  const checked = await preflightOf(shared, gate);
  mark('control-start');
  await positiveControl(shared, cards, gate, () => predraw?.start(runLists(settings, (p) => genOf(shared, p))));
  mark('control-done');
  const summary: SessionSummary = {
    settings,
    runId,
    target: Object.fromEntries(
      settings.providers.map((p) => [p, { url: shared[p]!.baseUrl, embedded: shared[p]!.embedded, kind: kinds[p] }]),
    ),
    cards: cards.list(),
    control: shared.control,
    ...(shared.identifiers ? { identifiers: shared.identifiers } : {}),
    ...(checked ? { preflight: checked } : {}),
  };
  return {
    shared,
    summary,
    close: async () => {
      await predraw?.close();
      await served?.close();
      await receiver.close();
      await mock?.close();
    },
  };
}

/**
 * Valid requests that must succeed. A target that refuses them all (bad credentials, wrong keys, a
 * provider that refuses everything) cannot be tested: its negative results would mean nothing.
 */
async function positiveControl(
  s: SharedSession,
  ledger: CardLedger,
  gate: RequestGate | undefined,
  segmentsKnown: () => void = () => undefined,
): Promise<void> {
  const transport = createTransport(s.limits, gate);
  const redactor = createRedactor({ secrets: s.secrets });
  const sent: Partial<Record<Provider, number>> = {};
  // counted on the wire, every attempt (a retry too), per provider: the providers' controls run at once and
  // nothing else sends from this process meanwhile
  const clients = connectClients(s, transport);
  const stopCounting = onRequest((t) => {
    const provider = t.provider as Provider;
    sent[provider] = (sent[provider] ?? 0) + 1;
  });
  const smoke = s.settings.profile === 'smoke';
  try {
    // the segment list first (every provider's cases read it as a known value), then the providers' controls at once
    // (a provider the preflight refused is not tested: its control says why, and sends nothing)
    if (s.settings.providers.includes('alchemy') && !s.control.alchemy) {
      try {
        const seg = await clients.alchemy!.segmentList();
        const model = (seg.body as { model?: { vid?: string }[] } | undefined)?.model;
        if (Array.isArray(model)) s.segments = model.map((m) => String(m.vid)).filter(Boolean);
      } catch {
        // the segment list is the profile's; without it the fallback vid is used
      }
      if (s.segments.length === 0) s.segments = [String(catalogue().profiles.alchemy.wire['fallbackVid'])];
    }
    segmentsKnown();
    const controls = new Map<Provider, Control>();
    /** Samples the control plans to send; up to PENDING_EXTRA more while every answer so far was "pending". */
    const base = smoke ? 1 : 2;
    const controlOf = async (provider: Provider): Promise<void> => {
      if (s.control[provider]) return;
      const operation = provider === 'alchemy' ? 'create' : 'apply';
      const env = envelopeOf(provider, operation);
      const g = genOf(s, provider);
      const example = documentExample(provider, operation, g);
      const drawn = fc.sample(
        validObject(planOf(provider, operation, 'request'), g, {
          // every field that has a default is sent: the control must not hang on how a provider reads an absence
          present: Object.keys(catalogue().operation(provider, operation).defaults),
          // smoke, or any run under budgets: the smallest legal amounts (a spend budget must not end at the control)
          ...(smoke || gate ? { text: smallestAmounts(provider, operation, g) } : {}),
        }),
        { numRuns: base + PENDING_EXTRA, seed: s.settings.seed },
      );
      // the document's own example first: what every integration starts from
      const samples: unknown[] = example ? [example, ...drawn.slice(0, -1)] : drawn;
      // codes that speak of the account's or the order's state (a duplicate order number, the balance), not of
      // the request's fields: such a refusal is the run's circumstance (a reused run id), not a broken rule
      const cat = catalogue();
      const stateCodes = new Set(
        cat
          .rulesFor(provider, operation)
          .filter((r) => r.check.kind === 'behaviour')
          .flatMap((r) => cat.expectedCodes(r))
          .filter((c) => c !== cat.profiles[provider].fieldRuleCode),
      );
      /** The first valid request refused as a request, while nothing had been accepted yet. */
      let refusal: Evidence | undefined;
      let accepted = 0;
      /** Answers read whole: a success whose result the client could read (or a reconciled order's query). */
      let read = 0;
      /** Answers the client could not read (not JSON, HTML, a result sealed with another key). */
      let unreadable = 0;
      let tried = 0;
      let reason = '';
      for (const [i, raw] of samples.entries()) {
        // past the planned samples only while every acceptance was "pending": that carries no result, so it
        // says nothing of whether a result can be read (a stranger's key), and another sample is asked
        // and one more while a valid request was refused as a request and nothing was accepted: a provider whose
        // refusal code cannot tell a request's fault from the credentials' (GEP) shows which by accepting another
        const another = accepted === 0 && refusal !== undefined && i === base;
        if (i >= base && !(accepted > 0 && read === 0 && unreadable === 0) && !another) break;
        tried++;
        const body = uniquify(provider, operation, raw, orderToken(s.runId, s.settings.seed, 'control', String(i)), s.callbackBase);
        try {
          let r: CallResult;
          try {
            r = provider === 'alchemy' ? await clients.alchemy!.create(body) : await clients.gep!.apply(body);
          } catch (err) {
            ledger.note(provider, operation, body, undefined, err);
            throw err;
          }
          ledger.note(provider, operation, body, r);
          const e = env.read(r);
          if (r.problem) unreadable++;
          if (e.succeeded) {
            accepted++;
            read++;
          } else if (e.accepted) accepted++;
          else if (await reconcile(clients, provider, operation, body, r)) {
            accepted++;
            read++;
          }
          if (!e.accepted || r.problem)
            reason = r.problem
              ? r.problem.message
              : `valid request refused: ${env.codeField} ${JSON.stringify(e.code)} ${JSON.stringify(e.message ?? '')} (HTTP ${r.status})`;
          // refused as a request (not as the merchant's, not unreadable, not found by its order number): a
          // provider that refuses what the documents call valid fails acceptsValid, whatever else it accepts
          if (
            !e.accepted &&
            e.ok &&
            !r.problem &&
            // refusals come in the provider's envelope inside HTTP 200 (WIRE.md); a 4xx/5xx is the transport's
            r.status < 300 &&
            !authenticationRefusal(provider, operation, r.body) &&
            !(e.code !== undefined && stateCodes.has(e.code)) &&
            accepted === 0 &&
            !refusal
          )
            refusal = evidenceOf(
              r,
              `${i === 0 && example ? "the document's own request example, moved to today" : 'a valid request'} was refused as a request: ${env.codeField} ${JSON.stringify(e.code)} ${JSON.stringify(e.message ?? '')}`,
              { note: 'positive control' },
              { redactor },
            );
        } catch (err) {
          // a budget ran out: nothing more is sent; the rules are skipped with the budget's name (harness.ts)
          if (isBudgetExhausted(err)) {
            reason = err.message;
            break;
          }
          reason = errorLine(err, redactor);
          // a target that does not answer is reported after one case's deadline × attempts, not after every sample's
          if (err instanceof WireError && (err.kind === 'timeout' || err.kind === 'connect')) break;
        } finally {
          beat();
        }
      }
      // an answer the client could not read fails the control unless another was read whole: acceptances that
      // were all "pending" beside it prove nothing about the result the cases will have to read
      const readable = read > 0 || (accepted > 0 && unreadable === 0);
      // A refusal is the request's fault only where it cannot be the credentials': another valid request was
      // accepted, or the profile tells authentication refusals by their own codes (Alchemy). GEP answers an
      // undecryptable request with its field-rule code, so with nothing accepted it could be either: untestable.
      const hasAuthCodes = catalogue().profiles[provider].codes.some((c) => c.authentication);
      const refusedValid = refusal && (accepted > 0 || hasAuthCodes) ? refusal : undefined;
      // A target that authenticated the merchant and refused a valid request as a request can be tested: the
      // suites run, and acceptsValid fails on the refusal (the run cannot pass). Only an authentication or
      // transport failure, or answers that cannot be read, leave it untestable.
      const ok = readable || (refusedValid !== undefined && unreadable === 0);
      controls.set(provider, {
        ok,
        accepted,
        sent: tried,
        requests: sent[provider] ?? 0,
        ...(ok ? {} : { reason: redactor.text(reason) }),
        ...(refusedValid ? { refusedValid } : {}),
      });
    };
    await Promise.all(s.settings.providers.map(controlOf));
    // in the providers' order, whichever answered first
    for (const provider of s.settings.providers) if (controls.has(provider)) s.control[provider] = controls.get(provider)!;
  } finally {
    stopCounting();
    await transport.close();
  }
}

/**
 * Why no callback can reach the suite's receiver, or undefined when one can: the embedded mock (no URL)
 * and a loopback target post to it, any target reaches ALCHEMY_CALLBACK_URL; `off` says the loopback
 * target is a tunnel to a remote sandbox (CARD_CONFORMANCE_CALLBACKS).
 */
export function callbackSkipReason(
  targetUrl: string | undefined,
  callbackUrl: string | undefined,
  mode: Settings['callbacks'],
): string | undefined {
  if (targetUrl === undefined || callbackUrl !== undefined) return undefined;
  if (mode === 'off')
    return 'ALCHEMY_CALLBACK_URL is not set and CARD_CONFORMANCE_CALLBACKS=off: no callback can reach the local receiver; the lifecycle is judged through info polling alone';
  if (!isLoopbackUrl(targetUrl))
    return 'ALCHEMY_CALLBACK_URL is not set and the target is not on loopback: no callback can reach the local receiver; the lifecycle is judged through info polling alone';
  return undefined;
}

/** A random run id (`run --run-id` unset): ten hex digits. */
export const newRunId = (): string => randomBytes(5).toString('hex');

/**
 * The preflight of every provider that is not the embedded mock (reachability, clock skew), before the
 * positive control; a refused provider gets a failed control naming the preflight's finding.
 */
async function preflightOf(s: SharedSession, gate: RequestGate | undefined): Promise<PreflightReport | undefined> {
  const targets = Object.fromEntries(s.settings.providers.filter((p) => s[p] && !s[p].embedded).map((p) => [p, s[p]!.baseUrl]));
  if (Object.keys(targets).length === 0) return undefined;
  const transport = createTransport(s.limits, gate);
  try {
    const report = await preflight(targets, transport, createRedactor({ secrets: s.secrets }));
    for (const [p, r] of Object.entries(report) as [Provider, NonNullable<PreflightReport[Provider]>][])
      if (!r.ok) s.control[p] = { ok: false, accepted: 0, sent: 0, reason: `preflight: ${r.problem}` };
    return report;
  } finally {
    await transport.close();
  }
}

/**
 * The document's own request example (the rule data's `requestExample`), as the control sends it: its
 * dates moved to `today` by the same number of days (so their order and window hold), each value from a
 * provider's list (Alchemy's `vid`) the first listed one where the example's is not listed, its Number
 * fields as JSON numbers in strict mode (the table literally). The order number and callback are the
 * caller's (`uniquify`). Undefined where the data has no example, or where it breaks a rule of the
 * document version under test (another version's example is not this one's).
 */
export function documentExample(provider: Provider, operation: string, g: GenContext) {
  const entry = catalogue().operation(provider, operation);
  const spec = entry.spec;
  if (!spec.requestExample) return undefined;
  const { today } = g;
  const segments = g.knownValues?.['segmentList'] ?? [];
  let value = structuredClone(spec.requestExample) as Record<string, unknown>;
  if (g.mode === 'strict')
    for (const row of spec.request)
      if ((row.type === 'number' || row.type === 'long') && typeof value[row.path] === 'string' && value[row.path] !== '')
        value[row.path] = Number(value[row.path]);
  if (spec.exampleDate && hasDateWindow(provider, operation))
    value = shiftDates(provider, operation, value, daysBetween(spec.exampleDate, today)) as Record<string, unknown>;
  for (const r of catalogue().rulesFor(provider, operation)) {
    if (r.side !== 'request' || r.check.kind !== 'knownValue' || r.check.of !== 'segmentList' || segments.length === 0) continue;
    const path = relativePath(r);
    if (typeof value[path] === 'string' && !segments.includes(value[path] as string)) value[path] = segments[0];
  }
  const ctx = { mode: g.mode, today, defaults: entry.defaults, ...(g.knownValues ? { knownValues: g.knownValues } : {}) };
  const kept = catalogue()
    .rulesFor(provider, operation)
    .every((r) => r.side !== 'request' || r.check.kind === 'noUntabledFields' || evaluate(r, value, ctx).holds !== false);
  return kept ? value : undefined;
}
