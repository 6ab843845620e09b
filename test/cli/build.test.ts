/**
 * The CLI's build (bin/build.mjs), on a small package of its own in a temporary folder: tsc's output
 * in dist/<fingerprint>/ with the `.ts` imports rewritten, rebuilt when and only when a source's
 * content changes, one whole build for processes that start at once, tsc's errors as a BuildError.
 */
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { BuildError, ENTRY, ensureBuilt, fingerprint, keepCases, ROOT } from '../../bin/build.mjs';

const write = (root: string, path: string, text: string) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
};

/** A package with the project's own tsconfig.build.json over a two-module src/. */
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

function pkg(greeting = 'built'): string {
  const root = mkdtempSync(join(tmpdir(), 'cc-build-'));
  made.push(root);
  write(root, 'package.json', JSON.stringify({ type: 'module' }));
  write(
    root,
    'tsconfig.json',
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        allowImportingTsExtensions: true,
        noEmit: true,
        types: [],
      },
    }),
  );
  copyFileSync(join(ROOT, 'tsconfig.build.json'), join(root, 'tsconfig.build.json'));
  write(root, 'src/cli/main.ts', "import { greeting } from '../lib/greet.ts';\nexport const main = (): string => greeting;\n");
  write(root, 'src/lib/greet.ts', `export const greeting: string = '${greeting}';\n`);
  write(root, 'vitest.config.ts', 'export default {};\n');
  return root;
}

const run = async (dir: string): Promise<string> => {
  const m = (await import(`${pathToFileURL(join(dir, ENTRY)).href}?t=${Date.now()}`)) as { main: () => string };
  return m.main();
};

describe('bin/build.mjs', () => {
  it('compiles src/ into dist/<fingerprint>/ with the .ts imports rewritten to .js, and reuses it while nothing changes', async () => {
    const root = pkg();
    const dir = ensureBuilt(root);
    expect(dir).toBe(join(root, 'dist', fingerprint(root)));
    expect(readFileSync(join(dir, ENTRY), 'utf8')).toContain("from '../lib/greet.js'");
    expect(await run(dir)).toBe('built');
    const built = statSync(join(dir, ENTRY)).mtimeMs;
    expect(ensureBuilt(root)).toBe(dir);
    expect(statSync(join(dir, ENTRY)).mtimeMs).toBe(built);
  });

  it('keeps the fingerprint when a source is only touched, and builds anew when its content changes', async () => {
    const root = pkg();
    const first = ensureBuilt(root);
    const later = new Date(Date.now() + 5000);
    utimesSync(join(root, 'src/lib/greet.ts'), later, later);
    expect(ensureBuilt(root)).toBe(first);
    write(root, 'src/lib/greet.ts', "export const greeting: string = 'changed';\n");
    const second = ensureBuilt(root);
    expect(second).not.toBe(first);
    expect(await run(second)).toBe('changed');
    // a module added anywhere in src/ is built with no change to the build's setup
    write(root, 'src/cli/extra.ts', "export const extra = 'new command';\n");
    expect(existsSync(join(ensureBuilt(root), 'src/cli/extra.js'))).toBe(true);
  });

  it('gives processes that start at once the same whole build, and leaves no lock or temporary folder', async () => {
    const root = pkg('shared');
    const script = `import { ensureBuilt } from ${JSON.stringify(pathToFileURL(join(ROOT, 'bin/build.mjs')).href)}; console.log(ensureBuilt(${JSON.stringify(root)}));`;
    const outs = await Promise.all(
      [1, 2, 3].map(() => promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]).then((r) => r.stdout.trim())),
    );
    expect(new Set(outs).size).toBe(1);
    expect(await run(outs[0]!)).toBe('shared');
    expect(readdirSync(join(root, 'dist')).filter((e) => e.endsWith('.lock') || e.startsWith('.tmp-'))).toEqual([]);
  });

  it("reports tsc's error as a BuildError and builds nothing", () => {
    const root = pkg();
    write(root, 'src/lib/greet.ts', 'export const greeting: string = ;\n');
    expect(() => ensureBuilt(root)).toThrow(BuildError);
    expect(() => ensureBuilt(root)).toThrow(/tsc -p tsconfig.build.json\) failed:\n.*greet\.ts/);
    expect(existsSync(join(root, 'dist', fingerprint(root)))).toBe(false);
  });

  it('checks the shipped data against its schemas before a build is used: a mismatch is one line and builds nothing', () => {
    const root = pkg();
    const check = (body: string) => write(root, 'src/spec/build.ts', `export function checkShippedData(): void {\n  ${body}\n}\n`);
    check("throw new Error('contracts/gep/apply.ts: request row 01 (user-ReqNo) path: must be a dotted camelCase path');");
    expect(() => ensureBuilt(root)).toThrow(BuildError);
    expect(() => ensureBuilt(root)).toThrow(
      /^a data module does not match its schema: contracts\/gep\/apply\.ts: request row 01 \(user-ReqNo\) path: must be a dotted camelCase path$/,
    );
    expect(existsSync(join(root, 'dist', fingerprint(root)))).toBe(false);
    // the same package with data that matches: built
    check('return;');
    expect(existsSync(join(ensureBuilt(root), ENTRY))).toBe(true);
  });

  it("keeps the build's case lists on every build (install-cases.ts), and a step that fails keeps nothing but spoils no build", () => {
    const root = pkg();
    // a stand-in for src/conformance/install-cases.ts: each step writes its name where the build's lists go
    write(
      root,
      'src/conformance/install-cases.ts',
      [
        "import { writeFileSync } from 'node:fs';",
        'const dir = process.env.CARD_CONFORMANCE_BUILD as string;',
        "export const keepRuleLists = (): void => writeFileSync(dir + '/rule-lists', 'kept');",
        "export const keepInstallLists = (): void => writeFileSync(dir + '/install-lists', 'kept');",
        "export const failing = (): void => { throw new Error('cannot draw'); };",
        '',
      ].join('\n'),
    );
    const dir = ensureBuilt(root);
    // every build: the rule lists
    expect(readFileSync(join(dir, 'rule-lists'), 'utf8')).toBe('kept');
    expect(existsSync(join(dir, 'install-lists'))).toBe(false);
    // the install's step (the `prepare` script): today's default run too
    expect(keepCases(dir, 'keepInstallLists', root)).toBeGreaterThanOrEqual(0);
    expect(readFileSync(join(dir, 'install-lists'), 'utf8')).toBe('kept');
    expect(keepCases(dir, 'failing', root)).toBeUndefined();
    expect(ensureBuilt(root)).toBe(dir);
  });
});
