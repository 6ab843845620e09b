/** The README's first lines are the two commands a newcomer needs; they must stay true. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  scripts: Record<string, string>;
  bin: Record<string, string>;
};
const ci = readFileSync(new URL('.ci/run', root), 'utf8');

describe('README', () => {
  const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  it('starts with the main job and the tests', () => {
    expect(readme.indexOf('```sh')).toBeLessThan(100);
    expect(firstBlock).toContain('npm ci && npm run conformance');
    expect(firstBlock).toContain('npm ci && npm test');
  });
  it('names scripts that exist: conformance is run --provider all through the bin, test is vitest', () => {
    expect(pkg.scripts['conformance']).toBe(`node ${pkg.bin['card-conformance']} run --provider all`);
    expect(pkg.scripts['test']).toBe('vitest run');
  });
  it('is what CI runs: npm ci, then exactly the test command', () => {
    const commands = ci.split('\n').filter((l) => /^npm /.test(l));
    expect(commands[0]).toBe('npm ci');
    expect(commands.at(-1)).toBe('npm test');
  });
});
