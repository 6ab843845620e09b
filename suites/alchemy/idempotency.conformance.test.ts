/*---
rules: [alchemy.create.orderNo.unique, alchemy.create.orderNo.idempotent]
source: |
  alchemy-card-create.original.txt: "orderNoYesstring64Customized customer transaction flow id {1,64}";
  WIRE.md (profile): "`2722` `orderNo` used before"; "a create/apply call is never retried with a new order number".
---*/

import { attempt, conformance } from '../../src/conformance/harness.ts';
import { envelopeOf } from '../../src/conformance/judge.ts';
import { behaviourRule, validRequests } from '../../src/conformance/properties.ts';
import { catalogue } from '../../src/spec/catalogue.ts';

const UNIQUE = behaviourRule('alchemy', 'create', 'uniqueOrderNo');
const IDEMPOTENT = behaviourRule('alchemy', 'create', 'idempotent');
const env = envelopeOf('alchemy', 'create');
const duplicateCode = catalogue().expectedCode(catalogue().byId.get(UNIQUE)!);

conformance(
  'alchemy',
  'the same orderNo twice never opens a second card and is refused as a duplicate',
  [UNIQUE, IDEMPOTENT],
  async (f, h) => {
    const [first, burst] = validRequests(h, 'alchemy', 'create', 2, 202);
    const a = await attempt(() => h.alchemy!.create(first!), h);
    if ('error' in a || !env.read(a).succeeded) {
      for (const id of [UNIQUE, IDEMPOTENT]) f.error(id, 'the first create was not accepted; nothing to repeat');
      return 1;
    }
    const b = await attempt(() => h.alchemy!.create(first!), h);
    if ('error' in b) {
      for (const id of [UNIQUE, IDEMPOTENT]) f.error(id, b.error);
      return 2;
    }
    const e = env.read(b);
    if (e.succeeded)
      f.fail(IDEMPOTENT, h.evidence(b, `orderNo ${first!['orderNo']} used twice: the second create succeeded (a second card)`));
    else f.pass(IDEMPOTENT);
    if (!e.accepted && e.code === duplicateCode) f.pass(UNIQUE);
    else
      f.fail(
        UNIQUE,
        h.evidence(
          b,
          `orderNo ${first!['orderNo']} used twice: answered success=${e.success} code ${JSON.stringify(e.code)}, expected a refusal with ${duplicateCode}`,
        ),
      );
    // Ten at once with one new orderNo: at most one card (smoke: the repeat above decides the rule; no burst).
    const burstSize = h.s.settings.profile === 'smoke' ? 0 : 10;
    const answers = await Promise.all(Array.from({ length: burstSize }, () => attempt(() => h.alchemy!.create(burst!), h)));
    const ok = answers.filter((r) => !('error' in r) && env.read(r).succeeded);
    if (ok.length > 1)
      f.fail(IDEMPOTENT, h.evidence(ok[1] as never, `10 concurrent creates with orderNo ${burst!['orderNo']}: ${ok.length} succeeded`));
    else if (burstSize) f.pass(IDEMPOTENT);
    if (h.admin) {
      const state = await h.admin.state();
      const orders = (state['alchemy']?.['orders'] ?? {}) as Record<string, number>;
      for (const o of burstSize ? [first!, burst!] : [first!]) {
        const n = orders[String(o['orderNo'])] ?? 0;
        if (n > 1) f.fail(IDEMPOTENT, { message: `the provider holds ${n} cards for orderNo ${o['orderNo']}` });
        else f.pass(IDEMPOTENT);
      }
    }
    return 2 + burstSize;
  },
);
