/**
 * Alchemy Pay — the provider profile: hosts, return codes (each marked published / inferred / profile),
 * follow-up calls, lifecycle and the wire facts of shared/specs/WIRE.md. Every fact is a default that
 * configuration can override; the inferred and profile ones are listed in reports as assumptions.
 */
import type { ProviderProfile } from '../../src/spec/types.ts';

const PUBLISHED = 'alchemypay.readme.io, "explanation-of-return-codes-1" (WIRE.md)';

export default {
  provider: 'alchemy',
  name: 'Alchemy Pay virtual card API',
  hosts: {
    sandbox: 'https://sbx-card-api.alchemypay.org',
    production: 'https://card-api.alchemypay.org',
    // the provider's domains (its API pages name hosts under both): any host under them is production but the sandbox
    productionDomains: ['alchemypay.org', 'alchemypay.com'],
  },
  successCode: '0',
  fieldRuleCode: '1002',
  timeZone: 'UTC',
  codes: [
    { code: '0', meaning: 'success', status: 'published', source: PUBLISHED },
    { code: '1', meaning: 'system exception', status: 'published', source: PUBLISHED },
    { code: '1002', meaning: 'parameter validation error', status: 'published', source: PUBLISHED },
    {
      code: '1006',
      meaning: 'signature error',
      status: 'published',
      source: 'alchemypay.readme.io, "api-integration-1" (WIRE.md)',
      authentication: true,
    },
    { code: '2601', meaning: 'merchant does not exist', status: 'published', source: PUBLISHED, authentication: true },
    { code: '2604', meaning: 'signature verification failed', status: 'published', source: PUBLISHED, authentication: true },
    { code: '2606', meaning: 'user does not exist', status: 'published', source: PUBLISHED },
    { code: '2638', meaning: 'merchant configuration', status: 'published', source: PUBLISHED },
    { code: '2642', meaning: 'network not supported', status: 'published', source: PUBLISHED },
    { code: '2646', meaning: 'below minimum amount', status: 'published', source: PUBLISHED },
    { code: '2647', meaning: 'over monthly limit', status: 'published', source: PUBLISHED },
    { code: '2648', meaning: 'card not created', status: 'published', source: PUBLISHED },
    { code: '2654', meaning: 'user card information does not exist', status: 'published', source: PUBLISHED },
    { code: '2720', meaning: 'unsupported currency', status: 'published', source: PUBLISHED },
    { code: '2722', meaning: 'duplicate order number', status: 'published', source: PUBLISHED },
    { code: '2723', meaning: 'incorrect order amount', status: 'published', source: PUBLISHED },
    { code: '2724', meaning: 'card status abnormal', status: 'published', source: PUBLISHED },
  ],
  calls: [
    { operation: 'create', method: 'POST', path: '/open/api/card/create', origin: 'published', source: 'seed' },
    {
      operation: 'info',
      method: 'POST',
      path: '/open/api/card/info',
      origin: 'published',
      source: 'alchemypay.readme.io (WIRE.md, Card detail)',
    },
    {
      operation: 'segmentList',
      method: 'POST',
      path: '/open/api/card/segment/list',
      origin: 'profile',
      source: 'WIRE.md, Card-segment list',
    },
  ],
  lifecycle: {
    order: ['INIT', 'INIT CREATE CARD HOLDER', 'INIT CREATE CARD', 'INIT ACTIVE CARD', 'ACTIVE'],
    failureEnd: 'CREATE CARD FAILED REFUND',
    statuses: [
      'INIT',
      'INIT CREATE CARD',
      'INIT CREATE CARD HOLDER',
      'INIT ACTIVE CARD',
      'CREATE CARD FAILED REFUND',
      'ACTIVE',
      'FREEZE',
      'CANCELLING',
      'CANCELED',
      'DELETED',
      'EXPIRED',
      'WAIT_CANCEL',
    ],
    source: 'WIRE.md, Status order (profile); Card statuses (alchemypay.readme.io)',
  },
  wait: {
    ms: 360_000,
    source: 'no time is published for the card to become ACTIVE: the same bound as GEP\'s "wait 1 to 5 minutes", plus a minute',
    origin: 'profile',
  },
  wire: {
    signatureWindowMs: 300_000,
    callbackEvent: 'CREATE_CARD',
    callbackAck: 'SUCCESS',
    callbackRedeliveries: 3,
    fallbackVid: 'USD',
    languages: 'EN,CH,JA',
    // what the provider's support desk asks for first (WIRE.md: envelope traceId; the seed's orderNo, cardId)
    supportIds: 'traceId,orderNo,cardId',
  },
  assumptions: [
    { what: 'Sandbox host for /open/api/card/*', choice: 'https://sbx-card-api.alchemypay.org', origin: 'inferred' },
    {
      what: 'Signature algorithm of the card API',
      choice: 'the KYC-sharing API algorithm: Base64(HMAC-SHA256(secret, timestamp + METHOD + path + canonical body))',
      origin: 'inferred',
    },
    {
      what: 'Card-segment list call',
      choice: 'POST /open/api/card/segment/list, empty body, model [{ vid, currency, name }]',
      origin: 'profile',
    },
    {
      what: 'Callback delivery',
      choice: 'JSON POST at ACTIVE, acknowledged by HTTP 200 "SUCCESS", redelivered up to 3 times',
      origin: 'profile',
    },
    {
      what: 'Status order',
      choice: 'INIT → INIT CREATE CARD HOLDER → INIT CREATE CARD → INIT ACTIVE CARD → ACTIVE; never back',
      origin: 'profile',
    },
    { what: 'Longest wait for ACTIVE and the callback (run --wait)', choice: '6 minutes, as for GEP', origin: 'profile' },
    {
      what: 'Return code per failure',
      choice:
        '1002 field rule; 2646 below minimum; 2723 above maximum or not whole cents; 2722 orderNo reused; 2604 signature; 2720 unknown vid',
      origin: 'profile',
    },
  ],
} satisfies ProviderProfile as ProviderProfile;
