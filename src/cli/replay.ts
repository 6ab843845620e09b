/**
 * `card-conformance replay <conformance.json> <rule-id> [--base-url URL]`: sends the recorded failing
 * case(s) of one rule again and judges them with the judges the suites use (src/conformance/replay.ts):
 * dates moved to the same offsets from today in the provider's time zone, order numbers fresh. Without
 * --base-url: the report's target when it was a sandbox (credentials from the environment, as for run),
 * else the embedded mock (faithful: the report's --deviate switches are not applied).
 * Exit 0 when every replayed case now passes the rule, 1 when one still fails (or no longer decides it),
 * 2 on bad input (no such rule, no failing case recorded, nothing replayable), 3 when the target cannot
 * be reached.
 */
import { randomInt } from 'node:crypto';
import { createAlchemyClient } from '../client/alchemy.ts';
import { createGepClient } from '../client/gep.ts';
import type { CallResult } from '../client/types.ts';
import { loadConfig, type Targets } from '../config/env.ts';
import { bodyToday, casesOf, judgeReplay, type ReplayOutcome } from '../conformance/replay.ts';
import { readReportFile } from '../report/schema.ts';
import { catalogue } from '../spec/catalogue.ts';
import type { SchemaMode } from '../spec/registry.ts';
import { EXIT, errorLine, WireError } from '../wire/errors.ts';
import { createTransport } from '../wire/http.ts';
import { createRedactor } from '../wire/redact.ts';
import { type CommandSpec, helpText, parse, synopsis, UsageError, useSpecVersions } from './args.ts';
import { resolveTarget } from './target.ts';

export const REPLAY = {
  name: 'replay',
  positionals: '<conformance.json> <rule-id>',
  summary: [
    "send a rule's recorded failing cases again and judge them as the suites do",
    'dates move to the same offsets from today (the provider time zone), order numbers are fresh; the target',
    "is --base-url, else the report's target if it was a sandbox, else the embedded mock (without the report's deviations)",
  ].join('\n'),
  options: {
    'base-url': {
      type: 'string',
      arg: 'URL',
      default: "the report's sandbox, else the embedded mock",
      help: 'where to send the cases (credentials from <PROVIDER>_* as for run)',
    },
  },
  exits: [
    [EXIT.ok, 'every replayed case now passes the rule'],
    [EXIT.failed, 'a replayed case still fails the rule (or its answer no longer decides it)'],
    [EXIT.usage, 'usage error: no such rule, no failing case recorded, nothing that can be replayed'],
    [EXIT.untestable, 'the target could not be reached'],
  ],
  example: 'card-conformance replay reports/conformance.json gep.apply.startDate.notBeforeToday',
} as const satisfies CommandSpec;

const short = (v: unknown, max = 600): string => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max)}…` : s;
};

export async function replayCommand(argv: string[], out: (s: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parse(argv, REPLAY);
  if (values.help) {
    out(helpText(REPLAY));
    return EXIT.ok;
  }
  if (positionals.length !== 2) throw new UsageError(`usage: card-conformance ${synopsis(REPLAY)}`);
  const [path, ruleId] = positionals as [string, string];
  const report = readReportFile(path);
  // the rules as the report's run knew them
  const versions = Object.values(report.specVersions).filter((v): v is string => typeof v === 'string');
  if (versions.some((v) => !Object.values(catalogue().versions).includes(v))) useSpecVersions(versions);
  const result = report.rules.find((r) => r.id === ruleId);
  if (!result) throw new UsageError(`${path} has no rule ${ruleId} (card-conformance rules lists the ids)`);
  const rule = catalogue().byId.get(ruleId);
  if (!rule) throw new UsageError(`${ruleId} is not in the catalogue of document versions ${versions.join(', ')}`);
  if (result.verdict === 'pass' || result.verdict === 'skipped')
    throw new UsageError(`${ruleId} did not fail in ${path} (${result.verdict}): no failing case to replay`);
  const { cases, skipped } = casesOf(result.evidence);
  if (cases.length === 0)
    throw new UsageError(
      `${ruleId}: no recorded case can be replayed${skipped[0] ? ` (${skipped[0].why})` : ` (the ${result.verdict} has no evidence${result.reason ? `: ${result.reason}` : ''})`}`,
    );

  const config = loadConfig(env);
  const redactor = createRedactor({ secrets: config.secrets });
  const recorded = report.target[rule.provider];
  // a replay opens cards: never against production by default (issue 15's target kind, where the report has it)
  if (values['base-url'] === undefined && (recorded as { kind?: string } | undefined)?.kind === 'production')
    throw new UsageError(`${path} tested production; replay sends creates: give --base-url of a sandbox or mock`);
  const baseUrl = values['base-url'] ?? (recorded && !recorded.embedded ? recorded.url : undefined);
  const resolved =
    rule.provider === 'alchemy' ? await resolveTarget('alchemy', config, baseUrl, env) : await resolveTarget('gep', config, baseUrl, env);
  const transport = createTransport(config.limits);
  const opts = { transport, retries: config.limits.retries, rideOutMs: config.limits.rideOutMs, redactor };
  const send =
    rule.provider === 'alchemy'
      ? (body: unknown) => createAlchemyClient(resolved.target as Targets['alchemy'], opts).call(rule.operation as 'create', body)
      : (body: unknown) => createGepClient(resolved.target as Targets['gep'], opts).call(rule.operation as 'apply', body);
  const where = resolved.embedded
    ? `the embedded mock${report.deviations.length ? ` (faithful: the run's deviations ${report.deviations.join(', ')} are not switched on)` : ''}`
    : redactor.text(resolved.target.baseUrl);
  out(`card-conformance replay: ${ruleId} (${rule.level}, ${result.verdict} in ${path}): ${cases.length} case(s) against ${where}\n`);
  for (const s of skipped) out(`  evidence #${s.index} not replayed: ${s.why}\n`);

  const verdicts: ReplayOutcome['verdict'][] = [];
  let unreachable = false;
  try {
    for (const [i, c] of cases.entries()) {
      const body = bodyToday(
        rule.provider,
        rule.operation,
        c,
        `r${Date.now().toString(36)}${randomInt(1296).toString(36)}${i.toString(36)}`,
      );
      out(`\ncase #${c.index}: ${redactor.text(c.note)}\n`);
      out(`  sent:    ${short(redactor.value(body))}\n`);
      let answer: CallResult;
      try {
        answer = await send(body);
      } catch (err) {
        if (!(err instanceof WireError)) throw err;
        unreachable = true;
        verdicts.push('error');
        out(`  answer:  none (${errorLine(err, redactor)})\n  verdict: error\n`);
        continue;
      }
      const shown = answer.body !== undefined ? redactor.value(answer.body) : redactor.text(answer.rawBody);
      out(`  answer:  HTTP ${answer.status} ${short(shown)}\n`);
      const judged = judgeReplay(ruleId, c, answer, { mode: report.schemaMode as SchemaMode, redactor });
      verdicts.push(judged.verdict);
      out(
        `  verdict: ${judged.verdict}${judged.verdict === 'undecided' ? ' (this answer does not decide the rule)' : ''}${judged.evidence ? ` — ${judged.evidence.message}` : ''}\n`,
      );
    }
  } finally {
    await transport.close();
    await resolved.close();
  }
  const passed = verdicts.filter((v) => v === 'pass').length;
  out(
    `\n${ruleId}: ${passed} of ${verdicts.length} replayed case(s) pass${passed === verdicts.length ? ' — the rule now holds for them' : ''}\n`,
  );
  if (passed === verdicts.length) return EXIT.ok;
  return unreachable && verdicts.every((v) => v === 'error' || v === 'pass') ? EXIT.untestable : EXIT.failed;
}
