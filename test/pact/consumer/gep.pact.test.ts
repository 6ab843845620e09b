/** The GEP consumer pact (`npm run pact:consumer` writes contracts/pacts/). */
import { consumerPact } from './consumer.ts';

consumerPact('gep');
