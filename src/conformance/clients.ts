/**
 * The provider clients of a worker, made from the session the global setup opened. A module of its own:
 * the suites' workers import it through the harness, and session.ts would bring the embedded mock, the
 * preflight, the callback receiver and the configuration loader into every worker, which never use them.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { createAlchemyClient } from '../client/alchemy.ts';
import { createGepClient } from '../client/gep.ts';
import type { createTransport } from '../wire/http.ts';
import type { SharedSession } from './session.ts';

export function connectClients(s: SharedSession, transport: ReturnType<typeof createTransport>) {
  return {
    alchemy: s.alchemy
      ? createAlchemyClient(
          { baseUrl: s.alchemy.baseUrl, accessKey: s.alchemy.accessKey, secretKey: s.alchemy.secretKey, email: s.alchemy.email },
          // an embedded provider with a pinned clock checks signature timestamps against that clock
          { transport, retries: s.limits.retries, rideOutMs: s.limits.rideOutMs, now: () => Date.now() + s.clockOffsetMs.alchemy },
        )
      : undefined,
    gep: s.gep
      ? createGepClient(
          {
            baseUrl: s.gep.baseUrl,
            userNo: s.gep.userNo,
            certificateId: s.gep.certificateId,
            merchantPrivateKey: createPrivateKey(s.gep.merchantPrivatePem),
            platformPublicKey: createPublicKey(s.gep.platformPublicPem),
          },
          { transport, retries: s.limits.retries, rideOutMs: s.limits.rideOutMs },
        )
      : undefined,
  };
}
