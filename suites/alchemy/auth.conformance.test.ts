/*---
rules: [alchemy.create.auth.signature]
source: |
  WIRE.md: "`ach-access-sign` = Base64(HMAC-SHA256(secretKey, timestamp + METHOD + requestPath + body))";
  profile: "`2604` bad signature or stale timestamp (over 5 minutes off)".
---*/
import { attempt, conformance } from '../../src/conformance/harness.ts';
import { envelopeOf } from '../../src/conformance/judge.ts';
import { behaviourRule, validRequests } from '../../src/conformance/properties.ts';

const SIGNATURE = behaviourRule('alchemy', 'create', 'rejectsBadSignature');
const env = envelopeOf('alchemy', 'create');

conformance('alchemy', 'refuses a create with a wrong signature or a stale timestamp', [SIGNATURE], async (f, h) => {
  const [good, forged, stale] = validRequests(h, 'alchemy', 'create', 3, 303);
  const control = await attempt(() => h.alchemy!.create(good!), h);
  if ('error' in control || !env.read(control).succeeded) {
    f.error(SIGNATURE, 'a correctly signed create was not accepted, so a refusal would prove nothing');
    return 1;
  }
  const tries = [
    { body: forged!, options: { signature: Buffer.alloc(32, 7).toString('base64') }, what: 'a signature made with another secret' },
    { body: stale!, options: { timestampOffsetMs: -10 * 60_000 }, what: 'a timestamp 10 minutes old' },
  ];
  for (const t of tries) {
    const r = await attempt(() => h.alchemy!.create(t.body, t.options), h);
    if ('error' in r) {
      f.error(SIGNATURE, r.error);
      continue;
    }
    const e = env.read(r);
    if (e.ok && !e.accepted) f.pass(SIGNATURE);
    else f.fail(SIGNATURE, h.evidence(r, `${t.what}: ${e.accepted ? 'accepted' : 'not refused in the envelope'}`));
  }
  return 3;
});
