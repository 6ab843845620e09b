/**
 * The provider-state vocabulary: every state a pact interaction may be given, as a present-tense sentence
 * with `{parameters}`, and how the verifier sets it up against a target. The sentence is the one key
 * shared by the consumer pacts (`given(...)`), the state handlers and the published vocabulary file
 * (`contracts/pacts/provider-states.json`, written from this list).
 *
 * How a state is set up:
 * - `nothing`: the state holds on any target (a fresh order number is made and injected);
 * - `api`: through the provider's own API, on the wire with the configured keys (works on a sandbox);
 * - `admin`: through the embedded mock's admin surface (`/__mock/*`); a target without one (a sandbox)
 *   cannot be put in that state, and its interactions are reported `skipped` with that reason.
 *
 * Values a state makes (a fresh order number, a card id, dates from today) are returned to the verifier,
 * which puts them into the request (Pact's provider-state injected values, `${name}`).
 */
import type { AlchemyClient } from '../client/alchemy.ts';
import type { GepClient } from '../client/gep.ts';
import type { Provider } from '../spec/registry.ts';
import { undici } from '../wire/undici.ts';
import { exampleRequest, freshDates, idField } from './examples.ts';

export type StateNeed = 'nothing' | 'api' | 'admin';

export interface StateSpec {
  provider: Provider;
  /** The sentence: the state's name in every pact, with `{parameter}` placeholders. */
  sentence: string;
  /** Parameters the interaction gives, with what each means. */
  params: Record<string, string>;
  /** Values the state hands back to the request (provider-state injection), with what each is. */
  injects: Record<string, string>;
  /** What setting it up needs: on the embedded mock, and on any other target. */
  needs: { mock: StateNeed; other: StateNeed };
  /** One line: how it is set up. */
  setup: string;
}

/** Everything a state handler may use: the target's admin surface (if any), API clients, the provider's today. */
export interface StateContext {
  provider: Provider;
  /** Base URL of a `/__mock/*` admin surface, when the target has one. */
  adminUrl?: string;
  alchemy?: AlchemyClient;
  gep?: GepClient;
  /** Today in the provider's time zone, `yyyy-MM-dd`. */
  today: () => string;
  /** A value no earlier call used (order numbers). */
  unique: () => string;
}

type Json = Record<string, string>;

const ORDER = idField('alchemy');
const REQ = idField('gep');

export const STATES = {
  freshOrder: {
    provider: 'alchemy',
    sentence: `no order was made with order number {${ORDER}}`,
    params: { [ORDER]: 'the example order number (a fresh one is sent instead)' },
    injects: { [ORDER]: 'an order number never used before' },
    needs: { mock: 'nothing', other: 'nothing' },
    setup: 'makes a fresh order number and sends it',
  },
  orderUsed: {
    provider: 'alchemy',
    sentence: `order number {${ORDER}} was used before`,
    params: { [ORDER]: 'the order number' },
    injects: {},
    needs: { mock: 'admin', other: 'api' },
    setup: 'the mock marks the number used; another target is sent a valid create with it (success or 2722: used either way)',
  },
  cardOpened: {
    provider: 'alchemy',
    sentence: `a card was opened for order number {${ORDER}}`,
    params: { [ORDER]: 'the order number' },
    injects: { cardId: 'the card id of the opened card' },
    needs: { mock: 'admin', other: 'admin' },
    setup: 'the mock opens a card (create answers no card id, so a sandbox cannot be put in this state)',
  },
  freshApply: {
    provider: 'gep',
    sentence: `no apply was made with request number {${REQ}}`,
    params: { [REQ]: 'the example request number (a fresh one is sent instead)' },
    injects: { [REQ]: 'a request number never used before', startDate: 'tomorrow', endDate: 'as far after startDate as in the example' },
    needs: { mock: 'nothing', other: 'nothing' },
    setup: 'makes a fresh request number and dates from today in the provider time zone, and sends them',
  },
  applyCompletes: {
    provider: 'gep',
    sentence: `an apply with request number {${REQ}} completes at once`,
    params: { [REQ]: 'the example request number (a fresh one is sent instead)' },
    injects: { [REQ]: 'a fresh request number', startDate: 'tomorrow', endDate: 'as far after startDate as in the example' },
    needs: { mock: 'admin', other: 'admin' },
    setup: 'the mock is told to answer the fresh number with a complete card (a sandbox picks its outcome itself)',
  },
  applyIncomplete: {
    provider: 'gep',
    sentence: `an apply with request number {${REQ}} opens a card with incomplete elements`,
    params: { [REQ]: 'the example request number (a fresh one is sent instead)' },
    injects: { [REQ]: 'a fresh request number', startDate: 'tomorrow', endDate: 'as far after startDate as in the example' },
    needs: { mock: 'admin', other: 'admin' },
    setup: 'the mock is told to open the card without its number, CVV and expiry for now',
  },
  applyPending: {
    provider: 'gep',
    sentence: `an apply with request number {${REQ}} is pending`,
    params: { [REQ]: 'the example request number (a fresh one is sent instead)' },
    injects: { [REQ]: 'a fresh request number', startDate: 'tomorrow', endDate: 'as far after startDate as in the example' },
    needs: { mock: 'admin', other: 'admin' },
    setup: 'the mock is told to answer 140001 (outcome not known yet) for the fresh number',
  },
  pendingApplyMade: {
    provider: 'gep',
    sentence: `an apply with request number {${REQ}} was made and is pending`,
    params: { [REQ]: 'the example request number (the one made is sent instead)' },
    injects: { [REQ]: 'the request number of the pending apply' },
    needs: { mock: 'admin', other: 'admin' },
    setup: 'the mock is told to keep a fresh number pending, and a valid apply with it is sent',
  },
  incompleteCardOpened: {
    provider: 'gep',
    sentence: 'card {cardId} was opened with incomplete elements',
    params: { cardId: 'the example card id (the opened card is sent instead)' },
    injects: { cardId: 'the card id of the opened card' },
    needs: { mock: 'admin', other: 'admin' },
    setup: 'the mock is told to open a card with incomplete elements, and a valid apply opens it',
  },
  balance: {
    provider: 'gep',
    sentence: 'the {currency} account holds {amount}',
    params: { currency: 'the account currency', amount: 'its balance, a decimal amount' },
    injects: {},
    needs: { mock: 'admin', other: 'admin' },
    setup: "the mock's account balance is set (a sandbox's balance is not ours to set)",
  },
} as const satisfies Record<string, StateSpec>;

export type StateKey = keyof typeof STATES;
export const STATE_LIST: readonly (StateSpec & { key: StateKey })[] = Object.entries(STATES).map(([key, s]) => ({
  ...(s as StateSpec),
  key: key as StateKey,
}));

export const stateBySentence = (sentence: string) => STATE_LIST.find((s) => s.sentence === sentence);

/** Why a state cannot be set up on this target, or undefined when it can. */
export function unsettable(sentence: string, ctx: Pick<StateContext, 'adminUrl'>, embedded: boolean): string | undefined {
  const spec = stateBySentence(sentence);
  if (!spec) return `provider state "${sentence}" is not in the vocabulary (contracts/pacts/provider-states.json)`;
  const need = embedded ? spec.needs.mock : spec.needs.other;
  if (need === 'admin' && !ctx.adminUrl)
    return `provider state "${sentence}" needs the embedded mock's admin surface, which this target does not have`;
  return undefined;
}

async function admin(ctx: StateContext, path: string, body: unknown): Promise<Record<string, unknown>> {
  if (!ctx.adminUrl) throw new Error(`no admin surface for ${path}`);
  const res = await undici().request(`${ctx.adminUrl}/__mock/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`admin ${path} answered HTTP ${res.statusCode}`);
  return JSON.parse(text) as Record<string, unknown>;
}

const freshGep = (ctx: StateContext): Json => ({ [REQ]: ctx.unique(), ...freshDates('gep', ctx.today()) });

/** A valid apply with the given request number and fresh dates, on the wire; its decoded answer. */
async function applyWith(ctx: StateContext, fresh: Json): Promise<Record<string, unknown>> {
  if (!ctx.gep) throw new Error('no GEP client');
  const r = await ctx.gep.apply({ ...exampleRequest('gep'), ...fresh });
  return (r.body ?? {}) as Record<string, unknown>;
}

type Handler = (params?: unknown) => Promise<Json>;
/** A state that must be undone after its interaction (a balance set low would refuse every later apply). */
type WithTeardown = { setup: Handler; teardown: Handler };

/** The state handlers, by sentence: each sets its state up and returns the values to inject. */
export function stateHandlers(ctx: StateContext, embedded: boolean): Record<string, Handler | WithTeardown> {
  const force = async (outcome: string): Promise<Json> => {
    const fresh = freshGep(ctx);
    await admin(ctx, 'gep/outcome', { [REQ]: fresh[REQ], outcome });
    return fresh;
  };
  const p = (params: unknown, name: string) => String((params as Record<string, unknown> | undefined)?.[name] ?? '');
  const balances = new Map<string, string>();
  const handlers: Record<StateKey, Handler | WithTeardown> = {
    freshOrder: async () => ({ [ORDER]: ctx.unique() }),
    orderUsed: async (params) => {
      const orderNo = p(params, ORDER);
      if (embedded && ctx.adminUrl) await admin(ctx, 'alchemy/order', { [ORDER]: orderNo });
      else {
        if (!ctx.alchemy) throw new Error('no Alchemy client');
        await ctx.alchemy.create({ ...exampleRequest('alchemy'), [ORDER]: orderNo });
      }
      return {};
    },
    cardOpened: async (params) => {
      const r = await admin(ctx, 'alchemy/card', { [ORDER]: p(params, ORDER) });
      return { cardId: String(r['cardId']) };
    },
    freshApply: async () => freshGep(ctx),
    applyCompletes: () => force('complete'),
    applyIncomplete: () => force('incomplete'),
    applyPending: () => force('pending'),
    pendingApplyMade: async () => {
      const fresh = await force('pending');
      await applyWith(ctx, fresh);
      return { [REQ]: fresh[REQ]! };
    },
    incompleteCardOpened: async () => {
      const fresh = await force('incomplete');
      const answer = await applyWith(ctx, fresh);
      const cardId = (answer['result'] as Record<string, unknown> | undefined)?.['cardId'];
      if (typeof cardId !== 'string') throw new Error('the apply that should open an incomplete card answered no cardId');
      return { cardId };
    },
    balance: {
      setup: async (params) => {
        const currency = p(params, 'currency');
        const state = (await admin(ctx, 'state', {}))['gep'] as { balances: Record<string, string>; defaultBalance: string };
        balances.set(currency, state.balances[currency] ?? state.defaultBalance);
        await admin(ctx, 'gep/balance', { currency, amount: p(params, 'amount') });
        return {};
      },
      teardown: async (params) => {
        const currency = p(params, 'currency');
        const before = balances.get(currency);
        if (before !== undefined) await admin(ctx, 'gep/balance', { currency, amount: before });
        return {};
      },
    },
  };
  return Object.fromEntries(STATE_LIST.map((s) => [s.sentence, handlers[s.key]]));
}

/** The vocabulary as published beside the pacts (`contracts/pacts/provider-states.json`). */
export function vocabulary() {
  return {
    note: 'Provider states the card-conformance mock can be put in, and how verify-pacts sets each up against another target. Generated from src/pact/states.ts by npm run pact:consumer.',
    states: STATE_LIST.map((s) => ({
      provider: s.provider,
      state: s.sentence,
      params: s.params,
      injects: s.injects,
      onTheMock: s.needs.mock,
      onOtherTargets: s.needs.other === 'admin' ? 'admin surface only: skipped against a sandbox' : s.needs.other,
      setup: s.setup,
    })),
  };
}
