/**
 * A document version end to end: `run --spec-version alchemy-v2` follows the other published Alchemy page
 * in the suites and in the embedded mock alike, and the report names the version and carries the
 * documents' own disagreements as INFO findings.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConformanceReport } from '../../src/report/conformance.ts';
import { cli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cc-versions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('card-conformance run --spec-version alchemy-v2', () => {
  it('against the embedded mock of the same version: exit 0, the version named, its own rules decided, the findings INFO', async () => {
    const r = await cli(['run', '--provider', 'alchemy', '--spec-version', 'alchemy-v2', '--runs', '20', '--report-dir', dir], {
      CARD_CONFORMANCE_WORKERS: '1',
    });
    expect(r.code, r.stdout.slice(-2000)).toBe(0);
    expect(r.stdout).toContain('document versions alchemy-v2');
    const rep = JSON.parse(readFileSync(join(dir, 'conformance.json'), 'utf8')) as ConformanceReport;
    expect(rep.specVersions).toEqual({ alchemy: 'alchemy-v2' });
    const rule = (id: string) => rep.rules.find((x) => x.id === id)!;
    expect(rule('alchemy.create.feeType.enum').verdict).toBe('pass');
    expect(rule('alchemy.create.deposit.range')).toMatchObject({
      verdict: 'pass',
      source: 'WIRE.md row Other versions of the same page: range 5–5000 USD',
    });
    expect(rep.specFindings.map((f) => f.kind)).toContain('notChecked');
    expect(rep.specFindings.every((f) => f.level === 'INFO' && f.provider === 'alchemy')).toBe(true);
  });
});
