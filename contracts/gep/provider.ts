/**
 * GEP — the provider profile: hosts, return codes (each marked published / inferred / profile), follow-up
 * calls, time zone and the wire facts of shared/specs/WIRE.md. Every fact is a default that configuration
 * can override; the inferred and profile ones are listed in reports as assumptions.
 */
import type { ProviderProfile } from '../../src/spec/types.ts';

const SIBLING = 'payeah-card-api-sdk-java enums/ErrorCode.java, a sibling platform (WIRE.md)';

export default {
  provider: 'gep',
  name: 'GEP virtual card (VAS) API',
  hosts: {
    sandbox: 'https://member-test-api.gepholding.com',
    production: 'https://api.gepholding.com',
    // every host under GEP's own domain is taken for production unless it is the test host (WIRE.md, Hosts)
    productionDomains: ['gepholding.com'],
  },
  successCode: '',
  fieldRuleCode: '110001',
  timeZone: 'Asia/Shanghai',
  codes: [
    { code: '110001', meaning: 'parameter validation', status: 'inferred', source: SIBLING },
    { code: '110002', meaning: 'product not enabled', status: 'inferred', source: SIBLING },
    { code: '110003', meaning: 'fee rules not configured', status: 'inferred', source: SIBLING },
    { code: '110004', meaning: 'card/group status', status: 'inferred', source: SIBLING },
    { code: '110005', meaning: 'insufficient account balance', status: 'inferred', source: SIBLING },
    { code: '110006', meaning: 'insufficient card/group balance', status: 'inferred', source: SIBLING },
    { code: '110007', meaning: 'applicant not reported', status: 'inferred', source: SIBLING },
    { code: '110008', meaning: 'limit below amount used', status: 'inferred', source: SIBLING },
    { code: '120001', meaning: 'empty result', status: 'inferred', source: SIBLING },
    { code: '130001', meaning: 'operation failed', status: 'inferred', source: SIBLING },
    { code: '140001', meaning: 'unknown order status: query for the result', status: 'published', source: 'seed, outcome (3)' },
  ],
  calls: [
    { operation: 'apply', method: 'POST', path: '/api/vas/card/apply', origin: 'published', source: 'seed' },
    {
      operation: 'queryCardOperate',
      method: 'POST',
      path: '/api/vas/card/queryCardOperate',
      origin: 'profile',
      source: 'WIRE.md, Single-card operation query',
    },
    { operation: 'info', method: 'POST', path: '/api/vas/card/info', origin: 'profile', source: 'WIRE.md, Card query' },
  ],
  wait: {
    ms: 360_000,
    source: 'seed, outcomes (2) and (3): "需等待1到5分钟" (wait 1 to 5 minutes), plus a minute',
    origin: 'note',
  },
  operationStatuses: { '0': 'pending', '1': 'processing', '2': 'success', '3': 'failed' },
  wire: {
    version: '1.0.0',
    dataType: 'JSON',
    certificateIdLength: 19,
    userNoLength: 19,
    dataContentMaxLength: 2048,
    acceptLanguage: 'en-US',
    notifyAck: 'OK',
    // what the provider's support desk asks for first (the seed's orderId and cardId, the merchant's userReqNo)
    supportIds: 'orderId,cardId,userReqNo',
  },
  assumptions: [
    { what: 'Error codes other than 140001', choice: 'the sibling platform list (110001 … 140001)', origin: 'inferred' },
    {
      what: 'Single-card operation query',
      choice:
        'POST /api/vas/card/queryCardOperate { userReqNo } → { orderId, cardId, userReqNo, opType, status, statusDesc, amount, createAt }',
      origin: 'profile',
    },
    {
      what: 'Card query',
      choice:
        'POST /api/vas/card/info { cardId } → { cardId, localCurrency, cardNo, cardVerifyNo, cardExpiryDate, cardStatus, availableAmount }',
      origin: 'profile',
    },
    {
      what: 'Error code per failure',
      choice: '110001 field rule or undecryptable request; 110005 insufficient balance; 140001 outcome not known yet',
      origin: 'profile',
    },
    {
      what: 'userReqNo used twice',
      choice: 'the same orderId/cardId again, or success false with 110001; never a second card or debit',
      origin: 'profile',
    },
    { what: 'Today, for startDate', choice: 'the calendar date in Asia/Shanghai (UTC+8)', origin: 'profile' },
  ],
} satisfies ProviderProfile as ProviderProfile;
