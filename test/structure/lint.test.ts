/**
 * `npm run lint` is `biome check .`: it must fail on a file that is not formatted (Biome's formatter on,
 * line width 140) and pass the same code formatted. Run with the local binary and the repository's own
 * biome.json on files in a temp folder, so that nothing is written into the tree.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './files.ts';

const BIOME = join(ROOT, 'node_modules', '.bin', 'biome');
const dir = mkdtempSync(join(tmpdir(), 'card-conformance-lint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function check(name: string, text: string): Promise<{ code: number; output: string }> {
  const file = join(dir, name);
  writeFileSync(file, text);
  try {
    const r = await promisify(execFile)(BIOME, ['check', `--config-path=${join(ROOT, 'biome.json')}`, file]);
    return { code: 0, output: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

const longCall = (width: number) => {
  const head = 'export const s = f(';
  const tail = ');\n';
  return `declare function f(...a: string[]): string;\n${head}'${'a'.repeat(width - head.length - tail.length - 1)}'${tail}`;
};

describe('npm run lint', () => {
  it('is biome check over the whole tree', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['lint']).toBe('biome check .');
  });

  it('passes formatted code (positive case first), including a line of 140 characters', async () => {
    const ok = await check('formatted.ts', 'export const x = { a: 1, b: [2, 3] };\n');
    expect(ok.output).toContain('Checked 1 file');
    expect(ok.code).toBe(0);
    const wide = longCall(140);
    expect(wide.split('\n')[1]).toHaveLength(140);
    expect((await check('wide.ts', wide)).code).toBe(0);
  });

  it('fails the same code unformatted, and a line over 140 characters', async () => {
    const bad = await check('unformatted.ts', 'export const  x = {a:1,b:[2,3]}\n');
    expect(bad.code).not.toBe(0);
    expect(bad.output).toMatch(/format/i);
    expect((await check('too-wide.ts', longCall(141))).code).not.toBe(0);
  });
});
