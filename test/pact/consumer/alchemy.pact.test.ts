/** The Alchemy consumer pact (`npm run pact:consumer` writes contracts/pacts/). */
import { consumerPact } from './consumer.ts';

consumerPact('alchemy');
