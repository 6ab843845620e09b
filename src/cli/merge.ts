/**
 * `card-conformance merge <dir>... [--out DIR]`: joins the reports of `run --shard i/n` (each directory
 * holds one conformance.json) into the report of the whole run, with the same verdict for every rule as
 * one unsharded run with the same seed, and exits with that run's exit code.
 */
import { join, resolve } from 'node:path';
import { summaryText } from '../report/conformance.ts';
import { WAIVERS_FILE, waiversPath } from '../report/gate.ts';
import { keptIdentifiers, mergeShards } from '../report/merge.ts';
import { readReportFile } from '../report/schema.ts';
import { readWaiversFile } from '../report/waivers.ts';
import { writeReports } from '../report/write.ts';
import { catalogue } from '../spec/catalogue.ts';
import { EXIT } from '../wire/errors.ts';
import { type CommandSpec, helpText, parse, synopsis, UsageError } from './args.ts';
import { checkWritableDir } from './run.ts';

export const MERGE = {
  name: 'merge',
  positionals: '<dir>...',
  summary: [
    'join the reports of run --shard i/n into the report of the whole run',
    "each <dir> holds one shard's conformance.json; every shard 1..n of one run (same seed, runs, providers,",
    'document versions) must be given. The merged report has the verdicts of one unsharded run with that seed.',
  ].join('\n'),
  options: {
    out: { type: 'string', arg: 'DIR', default: 'reports', help: 'where the merged report is written' },
    waivers: {
      type: 'string',
      arg: 'FILE',
      default: `${WAIVERS_FILE} in the current directory, if it exists`,
      help: "waivers applied to the merged report (as run's --waivers); the shards' --fail-on is kept",
    },
  },
  exits: [
    [EXIT.ok, 'the merged run is conformant'],
    [EXIT.failed, 'a rule failed in the merged run'],
    [EXIT.usage, 'usage error, a missing or bad report, or shards that are not slices of one run'],
    [EXIT.untestable, 'the merged run could not test the target'],
  ],
  example: 'card-conformance merge shard-1 shard-2 --out reports',
} as const satisfies CommandSpec;

export function mergeCommand(argv: string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, MERGE);
  if (values.help) {
    out(helpText(MERGE));
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError(`usage: card-conformance ${synopsis(MERGE)}`);
  const shards = positionals.map((dir) => {
    const path = join(dir, 'conformance.json');
    return { path, report: readReportFile(path) };
  });
  const waiversFile = waiversPath(values.waivers, process.cwd());
  const list = waiversFile ? readWaiversFile(waiversFile, new Set(catalogue().rules.map((r) => r.id))) : [];
  const merged = mergeShards(shards, { list, ...(waiversFile ? { file: waiversFile } : {}) });
  const dir = resolve(values.out ?? MERGE.options.out.default);
  checkWritableDir(dir, '--out');
  const path = writeReports(dir, merged, [], keptIdentifiers(shards.map((s) => s.report))).json;
  out(`card-conformance merge: ${shards.length} shards of seed ${merged.seed}\n`);
  out(summaryText(merged, path));
  return merged.exitCode;
}
