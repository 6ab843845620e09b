/*---
rules: [gep.apply.auth.encryption]
source: |
  WIRE.md: "JSON text → Base64 → RSA encrypt with the **merchant's private key**, `RSA/ECB/PKCS1Padding`";
  profile: "an unknown or undecryptable request answers `success: false` with `errorCode` `110001`".
---*/
import { randomBytes } from 'node:crypto';
import { attempt, conformance } from '../../src/conformance/harness.ts';
import { envelopeOf } from '../../src/conformance/judge.ts';
import { behaviourRule, validRequests } from '../../src/conformance/properties.ts';

const ENCRYPTION = behaviourRule('gep', 'apply', 'rejectsUndecryptable');
const env = envelopeOf('gep', 'apply');

conformance('gep', 'refuses a dataContent that does not decrypt with the merchant key', [ENCRYPTION], async (f, h) => {
  const [good, bad] = validRequests(h, 'gep', 'apply', 2, 707);
  const control = await attempt(() => h.gep!.apply(good!), h);
  const c = 'error' in control ? undefined : env.read(control);
  if (!c?.accepted) {
    f.error(ENCRYPTION, 'a correctly sealed apply was not accepted, so a refusal would prove nothing');
    return 1;
  }
  const r = await attempt(() => h.gep!.apply(bad!, { rawDataContent: randomBytes(256).toString('hex') }), h);
  if ('error' in r) {
    f.error(ENCRYPTION, r.error);
    return 2;
  }
  const e = env.read(r);
  if (e.ok && !e.accepted) f.pass(ENCRYPTION);
  else f.fail(ENCRYPTION, h.evidence(r, `a dataContent of random bytes was ${e.accepted ? 'accepted' : 'not refused in the envelope'}`));
  return 2;
});
