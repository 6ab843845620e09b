/*---
rules: [gep.apply.authLimitAmount.debitsBalance, gep.apply.authLimitAmount.insufficientBalance, gep.apply.response.errorCode.matchesRule]
source: |
  根据申请额度扣除对应币种账户余额。
  WIRE.md (inferred): "`110005` insufficient account balance".
---*/

import { attempt, conformance } from '../../src/conformance/harness.ts';
import { envelopeOf } from '../../src/conformance/judge.ts';
import { behaviourRule, validRequests } from '../../src/conformance/properties.ts';
import { catalogue } from '../../src/spec/catalogue.ts';

const DEBITS = behaviourRule('gep', 'apply', 'balanceDebited');
const SHORT = behaviourRule('gep', 'apply', 'insufficientBalance');
const MATCHES = catalogue()
  .rulesFor('gep', 'apply')
  .find((r) => r.check.kind === 'codeMatchesRule')!.id;
const env = envelopeOf('gep', 'apply');
const CURRENCY = 'XXX';
/** The account's balance, a limit within it and one over what is left after it (decimal amounts, as GEP's are). */
const BALANCE = '100.00';
const LIMIT = '30.25';
const OVER = '80';
const cents = (amount: string) => Math.round(Number(amount) * 100);

const NO_BALANCE_CALL = 'needs the account balance, which no call of the profile shows: decided against the embedded mock only';

conformance(
  'gep',
  'an opened card debits its limit from the currency account; a limit over the balance is refused',
  [DEBITS, SHORT, MATCHES],
  async (f, h) => {
    if (!h.admin) {
      for (const id of [DEBITS, SHORT]) f.exclude(id, NO_BALANCE_CALL);
      return 0;
    }
    const balance = async () => Number((((await h.admin!.state())['gep']?.['balances'] ?? {}) as Record<string, string>)[CURRENCY]);
    await h.admin.post('gep/balance', { currency: CURRENCY, amount: BALANCE });
    // the amounts are stated once, as text; the generator writes them as the schema mode asks
    const pinned = { localCurrency: CURRENCY, channelType: '1' };
    const [ok] = validRequests(h, 'gep', 'apply', 1, 606, { ...pinned, authLimitAmount: LIMIT });
    const [tooMuch] = validRequests(h, 'gep', 'apply', 1, 607, { ...pinned, authLimitAmount: OVER });
    for (const b of [ok!, tooMuch!]) await h.admin.post('gep/outcome', { userReqNo: b['userReqNo'], outcome: 'complete' });
    const a = await attempt(() => h.gep!.apply(ok!), h);
    if ('error' in a || !env.read(a).succeeded) {
      f.error(DEBITS, 'a valid apply within the balance was not accepted');
      f.error(SHORT, 'a valid apply within the balance was not accepted, so a refusal would prove nothing');
      return 1;
    }
    const after = await balance();
    const remaining = cents(BALANCE) - cents(LIMIT);
    if (Math.round(after * 100) === remaining) f.pass(DEBITS);
    else f.fail(DEBITS, h.evidence(a, `a card with limit ${LIMIT} ${CURRENCY} left the balance at ${after} (expected ${remaining / 100})`));
    const b = await attempt(() => h.gep!.apply(tooMuch!), h);
    if ('error' in b) {
      f.error(SHORT, b.error);
      return 2;
    }
    const e = env.read(b);
    const left = await balance();
    if (e.accepted) f.fail(SHORT, h.evidence(b, `a limit of ${OVER} ${CURRENCY} on a balance of ${after} was accepted`));
    else if (Math.round(left * 100) !== Math.round(after * 100))
      f.fail(SHORT, h.evidence(b, `the refused apply still debited the account (${after} → ${left})`));
    else f.pass(SHORT);
    const expected = catalogue().expectedCode(catalogue().byId.get(SHORT)!);
    if (!e.accepted && e.code !== expected)
      f.fail(MATCHES, h.evidence(b, `insufficient balance answered ${JSON.stringify(e.code)}; the profile maps ${SHORT} to ${expected}`));
    else if (!e.accepted) f.pass(MATCHES);
    return 2;
  },
);
