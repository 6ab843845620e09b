/*---
rules: [gep.apply.auth.encryption, gep.apply.auth.identity]
source: |
  WIRE.md: "JSON text → Base64 → RSA encrypt with the **merchant's private key**, `RSA/ECB/PKCS1Padding`,
  in chunks of (key bytes − 11), output as a **hex** string"; form fields "`certificateId`, `userNo`";
  profile: "an unknown or undecryptable request answers `success: false` with `errorCode` `110001`".
---*/
import { authentication } from '../../src/conformance/auth-suite.ts';

authentication(
  'gep',
  "refuses every apply that is not the merchant's own: identity fields left out, empty or another's, a dataContent not its own sealed JSON",
);
