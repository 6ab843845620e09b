/*---
rules: [every request rule of alchemy.create a mutation can break, alchemy.create.response.jsonObject, alchemy.create.response.code.inCatalogue, alchemy.create.response.code.matchesRule]
source: |
  alchemy-card-create.original.txt request table, e.g. "depositYesString24Deposit amount (USD), 1000 represents 10.00",
  and WIRE.md: "`1002` any field rule broken (missing, type, length, pattern); `2646` deposit below the minimum;
  `2723` deposit above the maximum or not a whole number of cents".
---*/
import { rejection } from '../../src/conformance/properties.ts';

rejection('alchemy', 'create', 'refuses each broken rule in the failure envelope with a catalogue code');
