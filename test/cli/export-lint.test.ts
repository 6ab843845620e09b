/** `export` and `lint-spec` through the real CLI: documents written whole or not at all, findings quoted, versions selected by flag. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SpecFinding } from '../../src/spec/lint.ts';
import { cli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'card-conformance-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('card-conformance export', () => {
  it('writes an OpenAPI 3.1 document to --out, naming the version it follows (positive case first)', async () => {
    const out = join(dir, 'alchemy.json');
    const r = await cli(['export', 'openapi', '--provider', 'alchemy', '--spec-version', 'alchemy-v2', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('alchemy-v2');
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.openapi).toBe('3.1.0');
    expect(doc['x-spec-versions']).toEqual({ alchemy: 'alchemy-v2' });
    expect(Object.keys(doc.components.schemas['alchemy.create.request'].properties)).toContain('feeType');
    expect(readdirSync(dir)).toEqual(['alchemy.json']);
  });

  it('prints a JSON Schema document to stdout', async () => {
    const r = await cli(['export', 'json-schema', '--provider', 'gep', '--schema-mode', 'strict']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(doc.$defs)).toEqual(['gep.apply.request', 'gep.apply.response']);
  });

  it('bad input is one line and exit 2, with nothing written', async () => {
    const out = join(dir, 'missing', 'x.json');
    const cases = [
      [['export', 'openapi', '--out', out], /^card-conformance export: --out .*: the folder .* does not exist\n$/],
      [['export', 'yaml'], /^card-conformance export: --format must be one of openapi, json-schema \(got "yaml"\)\n$/],
      [
        ['export', 'openapi', '--spec-version', 'alchemy-v9'],
        /^card-conformance export: --spec-version: unknown document version "alchemy-v9"/,
      ],
    ] as const;
    for (const [args, line] of cases) {
      const r = await cli([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(line);
      expect(r.stdout).toBe('');
    }
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });
});

describe('card-conformance lint-spec', () => {
  it('lists the type-vs-example contradictions of both documents, each with its row quoted, as INFO, exit 0', async () => {
    const r = await cli(['lint-spec', '--json']);
    expect(r.code).toBe(0);
    const findings = JSON.parse(r.stdout) as SpecFinding[];
    const typeVsExample = findings.filter((f) => f.kind === 'typeVsExample');
    expect(typeVsExample.map((f) => f.ruleId).sort()).toEqual([
      'alchemy.create.response.code.type',
      'gep.apply.authLimitAmount.type',
      'gep.apply.enableCurrencyCheck.type',
      'gep.apply.enableMultiUse.type',
      'gep.apply.sceneCode.type',
    ]);
    expect(typeVsExample.find((f) => f.ruleId === 'alchemy.create.response.code.type')!.rows).toEqual([
      'alchemy-card-create.original.txt row code: codelongReturn code',
    ]);
    expect(findings.every((f) => f.level === 'INFO')).toBe(true);
    expect(findings.find((f) => f.kind === 'descriptionNamesAnotherField')?.rows[0]).toContain('Cardholder last name');
    // the other published version of Alchemy's page, rule by rule
    expect(findings.filter((f) => f.kind === 'otherVersion').map((f) => f.ruleId)).toContain('alchemy.create.deposit.range');
  });

  it('under --spec-version alchemy-v2 also lists what no check kind expresses (KYC above 1000 USD)', async () => {
    const r = await cli(['lint-spec', '--provider', 'alchemy', '--spec-version', 'alchemy-v2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('INFO  alchemy (alchemy-v2)  notChecked');
    expect(r.stdout).toContain(
      "> WIRE.md row Other versions of the same page: recharge over 1000 USD needs the user's email to have passed KYC",
    );
    expect(r.stdout).not.toContain('gep');
  });
});
