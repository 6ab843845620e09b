/*---
rules: [alchemy.create.request.acceptsValid, every boundary rule of alchemy.create (amount range, max lengths, known segment), every response rule of alchemy.create]
source: |
  alchemy-card-create.original.txt — the request table (vid, cardHolder, firstName, lastName, deposit,
  orderNo, callbackUrl), "Single recharge amount range: 10 USD - 5000 USD", and the return table
  (success, error, code, msg, traceId, model, activeLink).
---*/
import { acceptance } from '../../src/conformance/properties.ts';

acceptance('alchemy', 'create', 'accepts valid creates, boundaries first, and answers them as the return table says');
