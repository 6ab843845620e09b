/** `card-conformance rules --explain <id>`: a rule's trail, each step checked against the thing it points at. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEVIATIONS } from '../../src/mock/deviations.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { cli } from '../helpers/cli.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const field = (out: string, name: string) => new RegExp(`^  ${name}\\s+(.*)$`, 'm').exec(out)?.[1] ?? '';

describe('card-conformance rules --explain', () => {
  it('gep.apply.endDate.notBeforeStartDate: data row, kind module, edges, mutations, suites, deviations', async () => {
    const id = 'gep.apply.endDate.notBeforeStartDate';
    const r = await cli(['rules', '--explain', id]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toContain(id);
    // the data line is the note rule's own line in the module, next to its field
    const [file, line] = field(r.stdout, 'data').split(' ')[0]!.split(':');
    const lines = readFileSync(`${ROOT}${file}`, 'utf8').split('\n');
    expect(lines[Number(line) - 1]).toContain("rule: 'notBeforeStartDate'");
    // the kind module exists and is the kind's
    const kindFile = /— (src\/checks\/[a-z-]+\.ts)/.exec(field(r.stdout, 'kind'))?.[1];
    expect(kindFile && readFileSync(`${ROOT}${kindFile}`, 'utf8')).toContain("CheckKind<'dateNotBefore'>");
    expect(r.stdout).toContain('endDate equals startDate');
    expect(r.stdout).toMatch(/\[dateWindow\] endDate = \d{4}-\d{2}-\d{2} \(one day before startDate\)/);
    expect(r.stdout).toContain('suites/gep/apply-rejection.conformance.test.ts');
    expect(r.stdout).toContain('suites/gep/apply-acceptance.conformance.test.ts');
    for (const d of DEVIATIONS.filter((x) => x.ruleId === id)) expect(r.stdout).toContain(d.name);
  });

  it('every rule has a data line in its module that names its field or rule, and a kind module that exists', async () => {
    const { explainRule } = await import('../../src/cli/explain.ts');
    for (const rule of catalogue().rules) {
      const out = explainRule(rule.id);
      const [file, line] = field(out, 'data').split(' ')[0]!.split(':');
      expect(Number(line), rule.id).toBeGreaterThan(0);
      const text = readFileSync(`${ROOT}${file}`, 'utf8').split('\n')[Number(line) - 1]!;
      const last = rule.id.slice(rule.id.lastIndexOf('.') + 1);
      expect(
        text.includes(`'${rule.field.replace(/^response\./, '')}'`) || text.includes(`'${last}'`) || text.includes('tables:'),
        `${rule.id}: ${text}`,
      ).toBe(true);
      const kindFile = /— (src\/checks\/[a-z-]+\.ts)/.exec(field(out, 'kind'))?.[1];
      expect(kindFile && existsSync(`${ROOT}${kindFile}`), rule.id).toBe(true);
    }
  });

  it('an unknown id is a one-line usage error, exit 2', async () => {
    const r = await cli(['rules', '--explain', 'gep.apply.nope.x']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('no rule gep.apply.nope.x');
  });
});
