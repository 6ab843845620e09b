/**
 * `card-conformance diff <old.json> <new.json> [--json]`: what changed between two runs, rule by rule
 * (regressed, recovered, appeared, vanished, changed). Exit 1 when a rule regressed at a level the new
 * report's gate fails on (`--fail-on`, default should: MUST and SHOULD), so a nightly job notices a
 * sandbox that changed under it; 0 otherwise; 2 on bad input.
 */
import { diffReports, diffText } from '../report/diff.ts';
import { readReportFile } from '../report/schema.ts';
import { EXIT } from '../wire/errors.ts';
import { type CommandSpec, helpText, parse, synopsis, UsageError } from './args.ts';

export const DIFF = {
  name: 'diff',
  positionals: '<old.json> <new.json>',
  summary: [
    'compare two conformance reports rule by rule: what regressed, recovered, appeared and vanished',
    'a regression is a rule that held (pass, skipped, waived) and now fails (fail, flaky, error); it fails the',
    "diff when its level fails the new report's gate (--fail-on of that run; default should: MUST and SHOULD)",
  ].join('\n'),
  options: {
    json: { type: 'boolean', help: 'print the comparison as one JSON object' },
  },
  exits: [
    [EXIT.ok, 'no regression at a level the gate fails on'],
    [EXIT.failed, 'a rule regressed at a level the gate fails on'],
    [EXIT.usage, 'usage error, or a file that is not a conformance report'],
  ],
  example: 'card-conformance diff reports/last-night/conformance.json reports/conformance.json',
} as const satisfies CommandSpec;

export function diffCommand(argv: string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, DIFF);
  if (values.help) {
    out(helpText(DIFF));
    return EXIT.ok;
  }
  if (positionals.length !== 2) throw new UsageError(`usage: card-conformance ${synopsis(DIFF)}`);
  const [oldPath, newPath] = positionals as [string, string];
  const d = diffReports(readReportFile(oldPath), readReportFile(newPath));
  out(values.json ? `${JSON.stringify(d, null, 2)}\n` : diffText(d, oldPath, newPath));
  return d.gatingRegressions > 0 ? EXIT.failed : EXIT.ok;
}
