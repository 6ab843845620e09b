/*---
rules: [gep.apply.request.acceptsValid, every boundary rule of gep.apply (startDate = today, endDate = startDate, leap days, max lengths, enums, conditional fields), every response rule of gep.apply]
source: |
  03. | 卡生效日期 | startDate | M | String(10) | 大于等于当前日期,格式yyyy-MM-dd |
  04. | 卡失效日期 | endDate | M | String(10) | 大于等于生效日期,格式yyyy-MM-dd |
  and the result table: orderId, cardId, localCurrency, cardNo, cardVerifyNo, cardExpiryDate.
---*/
import { acceptance } from '../../src/conformance/properties.ts';

acceptance('gep', 'apply', 'accepts valid applies, boundaries first, and answers them as the result table says');
