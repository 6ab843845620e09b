/**
 * `card-conformance report <a.json> [<b.json> …] --out <file.html>`: the HTML page of one or more
 * conformance reports. One report: the single-run page (the same page `run` writes). Several: the
 * rules × runs matrix, one column per report in the order given (e.g. last week's sandbox runs side by
 * side). Reports are read through `readReportFile` (one line naming the file on a bad one, exit 2);
 * the page is written atomically (a temporary file beside it, renamed).
 */
import { resolve } from 'node:path';
import { renderHtml } from '../report/html.ts';
import { readReportFile } from '../report/schema.ts';
import { EXIT } from '../wire/errors.ts';
import { type CommandSpec, helpText, parse, UsageError } from './args.ts';
import { writeAtomically } from './export.ts';

export const REPORT = {
  name: 'report',
  positionals: '<report.json>...',
  summary: [
    'write the HTML page of one conformance report, or the rules × runs matrix of several',
    'one report: verdicts grouped provider → operation → field, a filter box, each failure expandable to its evidence;',
    "several: one column per report in the order given, each cell expandable to that run's evidence; the page fetches nothing",
  ].join('\n'),
  options: {
    out: { type: 'string', arg: 'FILE', help: 'the HTML file to write (atomically); required' },
    title: { type: 'string', arg: 'TEXT', default: 'the verdict and start time, or the number of runs', help: "the page's title" },
  },
  exits: [
    [EXIT.ok, 'the page was written'],
    [EXIT.usage, 'usage error: no report, a missing or malformed report, no --out, or an unwritable FILE'],
  ],
  example: 'card-conformance report reports/mon/conformance.json reports/tue/conformance.json --out reports/week.html',
} as const satisfies CommandSpec;

export function reportCommand(argv: string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, REPORT);
  if (values.help) {
    out(helpText(REPORT));
    return EXIT.ok;
  }
  if (positionals.length === 0)
    throw new UsageError('report takes one or more conformance.json files (see card-conformance report --help)');
  if (values.out === undefined || values.out === '') throw new UsageError('report needs --out FILE, the HTML page to write');
  const runs = positionals.map((p) => readReportFile(p));
  const path = resolve(values.out);
  const html = renderHtml(runs, { ...(values.title ? { title: values.title } : {}), files: positionals });
  writeAtomically(path, html);
  const rules = new Set(runs.flatMap((r) => r.rules.map((x) => x.id))).size;
  out(
    `card-conformance report: ${runs.length === 1 ? `one run (${runs[0]!.verdict}), ${rules} rules` : `${runs.length} runs × ${rules} rules`} written to ${path} (${Math.round(Buffer.byteLength(html) / 1024)} KiB)\n`,
  );
  return EXIT.ok;
}
