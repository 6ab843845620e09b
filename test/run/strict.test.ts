/**
 * Strict schema mode end to end: the documents literally. Against the strict face of the embedded mock
 * a strict run passes; against its lenient face (the documents' examples) it fails exactly the type
 * rules the examples contradict, each saying so in one line.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { invalidCases } from '../../properties/cases.ts';
import type { ConformanceReport } from '../../src/report/conformance.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { getPath, relativePath } from '../../src/spec/evaluate.ts';
import { cli } from '../helpers/cli.ts';

const FAST = { CARD_CONFORMANCE_WORKERS: '1' };
const dir = mkdtempSync(join(tmpdir(), 'cc-strict-'));
const report = (d: string) => JSON.parse(readFileSync(join(d, 'conformance.json'), 'utf8')) as ConformanceReport;

describe('card-conformance run --schema-mode strict', () => {
  it('against the strict mock (the embedded mock of a strict run): exit 0, every rule pass or an explained skip', async () => {
    const out = join(dir, 'strict');
    const r = await cli(['run', '--provider', 'all', '--schema-mode', 'strict', '--runs', '20', '--report-dir', out], FAST);
    expect(r.code, r.stdout.slice(-2000)).toBe(0);
    const rep = report(out);
    expect(rep.schemaMode).toBe('strict');
    for (const rule of rep.rules)
      expect(['pass', 'skipped'], `${rule.id}: ${rule.evidence[0]?.message ?? rule.reason}`).toContain(rule.verdict);
    // strict mode decides the rule lenient mode skips
    expect(rep.rules.find((x) => x.id === 'gep.apply.request.noUntabledFields')!.verdict).toBe('pass');
  });

  it('against the lenient mock: exit 1, failing exactly the type rules the documents leave open, each saying so', async () => {
    const out = join(dir, 'lenient-mock');
    const r = await cli(['run', '--provider', 'all', '--schema-mode', 'strict', '--runs', '20', '--report-dir', out], {
      ...FAST,
      CARD_CONFORMANCE_MOCK_SCHEMA_MODE: 'lenient',
    });
    expect(r.code, r.stdout.slice(-2000)).toBe(1);
    const rep = report(out);
    const contradicted = catalogue()
      .rules.filter((x) => x.contradiction)
      .map((x) => x.id);
    expect(contradicted.length).toBeGreaterThan(0);
    // the request rules whose strict violations include a scalar in the other JSON type (a number where the
    // table says String): the lenient mock takes it by value, as no document establishes refusing it
    const today = '2030-01-01';
    const otherScalar = (['alchemy', 'gep'] as const).flatMap((p) =>
      invalidCases(
        p,
        catalogue().operations.find((o) => o.spec.provider === p)!.spec.operation,
        { mode: 'strict', today, knownValues: { segmentList: ['USD'] } },
        1,
        1,
      )
        .filter((c) => {
          const rule = catalogue().byId.get(c.rules[0]!)!;
          if (rule.check.kind !== 'type' || rule.check.type !== 'string') return false;
          return typeof getPath(c.value, relativePath(rule)) === 'number';
        })
        .map((c) => c.rules[0]!),
    );
    expect(otherScalar).toContain('gep.apply.channelType.type');
    const expected = [...new Set([...contradicted, ...otherScalar])].sort();
    const failedGate = rep.rules.filter((x) => x.verdict === 'fail' && x.level !== 'INFO');
    expect(failedGate.map((x) => x.id).sort()).toEqual(expected);
    for (const x of failedGate)
      expect(
        x.evidence.some((e) =>
          contradicted.includes(x.id) ? e.message.includes('table and example disagree') : e.message.includes('strict mode only'),
        ),
        x.id,
      ).toBe(true);
  });
});
