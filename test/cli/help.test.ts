/** `card-conformance <command> --help` and `-h`: usage, options with defaults, exit codes, one example; exit 0. */

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../bin/build.mjs';
import { helpText, parse } from '../../src/cli/args.ts';
import { loadCommands, usage } from '../../src/cli/main.ts';
import { cli } from '../helpers/cli.ts';

/** Splits an example command line as a POSIX shell would for these examples (words, single quotes). */
const words = (line: string): string[] => [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);

const COMMANDS = await loadCommands();
const names = Object.keys(COMMANDS);

describe('per-command help', () => {
  it('covers run, call, mock, rules, selfcheck, proxy, verify-pacts, export, lint-spec, report, diff, replay and merge', () => {
    expect([...names].sort()).toEqual([
      'call',
      'diff',
      'export',
      'lint-spec',
      'merge',
      'mock',
      'proxy',
      'replay',
      'report',
      'rules',
      'run',
      'selfcheck',
      'verify-pacts',
    ]);
  });

  describe.each(names)('%s', (name) => {
    const { spec } = COMMANDS[name]!;

    it.concurrent('--help and -h exit 0 and print the usage, every option with its default, the exit codes and an example', async () => {
      const [long, short] = await Promise.all([cli([name, '--help']), cli([name, '-h'])]);
      for (const r of [long, short]) {
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout).toBe(helpText(spec));
      }
      const text = long.stdout;
      expect(text.split('\n')[0]).toMatch(new RegExp(`^usage: card-conformance ${name}\\b`));
      for (const [option, o] of Object.entries(spec.options)) {
        const line = text.split('\n').find((l) => l.trimStart().startsWith(`--${option}`));
        expect(line, option).toBeDefined();
        if (o.default !== undefined) expect(line).toContain(`(default: ${o.default})`);
      }
      expect(text).toMatch(/\nexit codes:\n( {2}\d {2}.+\n)+/);
      expect(text).toContain(`\nexample:\n  card-conformance ${name} `);
    });

    it('its example and every declared option are accepted by the same parser', () => {
      const example = words(spec.example);
      expect(example.slice(0, 2)).toEqual(['card-conformance', name]);
      expect(() => parse(example.slice(2), spec)).not.toThrow();
      for (const [option, o] of Object.entries(spec.options)) {
        const argv = o.type === 'string' ? [`--${option}`, 'x'] : [`--${option}`];
        expect(parse(argv, spec).values, option).toHaveProperty(option);
      }
      expect(() => parse(['--no-such-option'], spec)).toThrow(`see card-conformance ${name} --help`);
    });
  });

  it('the top-level usage names every command and how to get its help', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const name of names) expect(r.stdout).toContain(`\n  ${name} `);
    expect(r.stdout).toContain('<command> --help');
  });

  it("the top-level usage is the specs' own, kept beside the build once made and read from there after", async () => {
    const build = ensureBuilt();
    const kept = join(build, 'usage.txt');
    rmSync(kept, { force: true });
    const first = await cli(['--help']);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(await usage());
    expect(readFileSync(kept, 'utf8')).toBe(first.stdout);
    // read from beside the build: a planted text is what a bare --help prints (the positive case above made it)
    writeFileSync(kept, `${first.stdout}planted\n`);
    const second = await cli(['--help']);
    expect(second.stdout).toBe(`${first.stdout}planted\n`);
    rmSync(kept, { force: true });
    // and without it, made again from the specs
    expect((await cli(['-h'])).stdout).toBe(first.stdout);
  });
});
