/*---
rules: [alchemy.create.auth.signature, alchemy.create.auth.accessKey, alchemy.create.auth.timestamp, alchemy.create.auth.signedInput]
source: |
  WIRE.md: "`ach-access-key` (API key), `ach-access-timestamp` (13-digit UTC milliseconds), `ach-access-sign`";
  "`ach-access-sign` = Base64(HMAC-SHA256(secretKey, timestamp + METHOD + requestPath + body))";
  profile: "`2604` bad signature or stale timestamp (over 5 minutes off)".
---*/
import { authentication } from '../../src/conformance/auth-suite.ts';

authentication(
  'alchemy',
  "refuses every request that is not the merchant's own: each auth header left out, empty or another's, the timestamp window from both sides, a signature of another request",
);
