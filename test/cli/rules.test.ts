import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { specs, tableFields } from '../helpers/seeds.ts';

const run = promisify(execFile);
const BIN = new URL('../../bin/card-conformance.mjs', import.meta.url).pathname;
const cli = (...args: string[]) =>
  run(process.execPath, [BIN, ...args]).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

const rulesJson = async () => {
  const r = await cli('rules', '--json');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, string>[];
};

describe('card-conformance rules', () => {
  it('--json lists the rules, each with id, provider, operation, field, level, title, source', async () => {
    const rules = await rulesJson();
    expect(rules.length).toBeGreaterThan(100);
    for (const rule of rules)
      for (const k of ['id', 'provider', 'operation', 'field', 'level', 'title', 'source'])
        expect(typeof rule[k], `${rule['id']}.${k}`).toBe('string');
  });

  it('--provider gep lists only GEP rules', async () => {
    const r = await cli('rules', '--provider', 'gep', '--json');
    const rules = JSON.parse(r.stdout) as { provider: string }[];
    expect(rules.length).toBeGreaterThan(50);
    expect(new Set(rules.map((x) => x.provider))).toEqual(new Set(['gep']));
  });

  it('refuses a bad provider with one line and exit 2', async () => {
    const r = await cli('rules', '--provider', 'visa');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['card-conformance rules: --provider must be one of alchemy, gep, all (got "visa")']);
  });
});

describe.skipIf(!specs.available)(`card-conformance rules against the documents ${specs.note}`, () => {
  it('--json lists rules for every field of the four tables', async () => {
    const rules = await rulesJson();
    const t = tableFields();
    expect(t.alchemyRequest.length + t.alchemyResponse.length + t.gepRequest.length + t.gepResult.length).toBeGreaterThan(30);
    const has = (provider: string, pred: (field: string) => boolean) => rules.some((x) => x['provider'] === provider && pred(x['field']!));
    for (const f of t.alchemyRequest)
      expect(
        has('alchemy', (x) => x.split('.').at(-1) === f),
        f,
      ).toBe(true);
    for (const f of t.alchemyResponse)
      expect(
        has('alchemy', (x) => x.startsWith('response.') && x.split('.').at(-1) === f),
        f,
      ).toBe(true);
    for (const f of t.gepRequest)
      expect(
        has('gep', (x) => x === f),
        f,
      ).toBe(true);
    for (const f of t.gepResult)
      expect(
        has('gep', (x) => x === `response.result.${f}`),
        f,
      ).toBe(true);
  });
});
