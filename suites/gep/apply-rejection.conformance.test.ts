/*---
rules: [every request rule of gep.apply a mutation can break, gep.apply.response.jsonObject, gep.apply.response.errorCode.inCatalogue, gep.apply.response.errorCode.matchesRule]
source: |
  gep-card-apply.original.txt dataContent table, rows 01–14, and WIRE.md: "`110001` any field rule broken
  (missing, type, length, format, date, conditional requirement)".
---*/
import { rejection } from '../../src/conformance/properties.ts';

rejection('gep', 'apply', 'refuses each broken rule in the failure envelope with a catalogue code');
