/**
 * `junit.xml`: the report as JUnit XML (the common schema, test/fixtures/junit-10.xsd), which GitLab and
 * Jenkins render natively and GitHub through a test-reporter action. One `testsuite` per provider, one
 * `testcase` per rule: `classname` `<provider>.<operation>`, `name` `<rule id> <title>`.
 *
 * The file agrees with the gate (`--fail-on`), so a CI's test view and the exit code never disagree:
 * - a failure (`fail`, `flaky`) of a level that fails the gate is a `failure` with the evidence: message,
 *   expected, received, the quoted source, the redacted curl and the seed and path that replay it;
 * - a failure of a level that does not (INFO under the default) is `skipped`, its message saying so, the
 *   evidence kept in the body;
 * - `waived` is `skipped` with the waiver's reason, owner and expiry: JUnit has no "waived" state, a
 *   `failure` would fail every CI that reads the file although the gate passed, and a pass would hide it;
 * - `error` (the rule could not be decided) is an `error` where it counts for the verdict, else `skipped`;
 * - `skipped` is `skipped` with its reason.
 *
 * Renders an already redacted report; `writeReports` redacts before and after.
 */
import type { Evidence } from '../conformance/findings.ts';
import type { Provider } from '../spec/registry.ts';
import type { ConformanceReport, RuleResult } from './conformance.ts';
import { failsGate } from './gate.ts';

/**
 * Text safe in XML 1.0 content and attributes: markup characters escaped, and characters XML 1.0 cannot
 * carry at all (C0 controls but tab, newline and carriage return; U+FFFE/U+FFFF; lone surrogates), not even
 * as character references, shown as `\uXXXX`. `]]>` cannot occur: every `>` is escaped.
 */
export function xmlEscape(s: string, attribute = false): string {
  let out = s
    .replace(
      /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    )
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
  // in an attribute, quotes end it and white space other than a space is normalised away: keep them as references
  if (attribute)
    out = out.replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
  return out;
}

const MAX_RECEIVED = 4000;

const shown = (v: unknown): string => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > MAX_RECEIVED ? `${s.slice(0, MAX_RECEIVED)}… (${s.length} characters)` : s;
};

/** One evidence entry as plain lines (the failure body of JUnit, the code block of Markdown). */
export function evidenceLines(e: Evidence): string[] {
  const lines = [e.message];
  if (e.note) lines.push(`case: ${e.note}`);
  if (e.expected) lines.push(`expected: ${e.expected}`);
  if (e.status !== undefined || e.received !== undefined)
    lines.push(
      `received: ${e.status !== undefined ? `HTTP ${e.status} ` : ''}${e.received !== undefined ? shown(e.received) : ''}`.trimEnd(),
    );
  if (e.sent !== undefined) lines.push(`sent: ${shown(e.sent)}`);
  if (e.source) lines.push(`source: ${e.source}`);
  if (e.document) lines.push(`document: ${e.document}`);
  if (e.ids && Object.keys(e.ids).length)
    lines.push(
      `ids: ${Object.entries(e.ids)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
  if (e.at) lines.push(`at: ${e.at}`);
  if (e.reproduction) lines.push(`reproduce: ${e.reproduction}`);
  if (e.reproductionNote) lines.push(`  (${e.reproductionNote})`);
  if (e.call) lines.push(`call: ${e.call}`);
  if (e.seed !== undefined)
    lines.push(
      `replay: card-conformance run --seed ${e.seed}${e.path ? ` (fast-check path ${e.path})` : ''}${e.shrunk ? `, shrunk ${e.shrunk.steps} steps` : ''}`,
    );
  return lines;
}

type Outcome = { kind: 'pass' } | { kind: 'failure' | 'error' | 'skipped'; type: string; message: string; body: string };

function outcome(r: RuleResult, failOn: ConformanceReport['gate']['failOn']): Outcome {
  const body = () => r.evidence.map((e) => evidenceLines(e).join('\n')).join('\n\n');
  const first = r.evidence[0]?.message ?? r.reason ?? r.title;
  const gating = failsGate(r.level, failOn);
  switch (r.verdict) {
    case 'pass':
      return { kind: 'pass' };
    case 'fail':
    case 'flaky':
      return gating
        ? {
            kind: 'failure',
            type: `${r.level} ${r.verdict}`,
            message: first,
            body: `${r.verdict === 'flaky' ? `${r.reason}\n\n` : ''}${body()}`,
          }
        : {
            kind: 'skipped',
            type: r.verdict,
            message: `${r.level} ${r.verdict}, not failing the gate (--fail-on ${failOn}): ${first}`,
            body: body(),
          };
    case 'waived':
      return {
        kind: 'skipped',
        type: 'waived',
        message: `waived until ${r.waiver?.expires} by ${r.waiver?.owner}: ${r.waiver?.reason}`,
        body: body(),
      };
    case 'error':
      return gating
        ? { kind: 'error', type: 'error', message: r.reason ?? first, body: body() }
        : { kind: 'skipped', type: 'error', message: `${r.level} rule in error, not failing the gate: ${r.reason ?? first}`, body: body() };
    case 'skipped':
      return { kind: 'skipped', type: 'skipped', message: r.reason ?? 'skipped', body: '' };
  }
}

// the providers' suites run together: the run's time is on <testsuites> only (per-suite times would add up to more)
const attr = (name: string, v: string | number) => ` ${name}="${xmlEscape(String(v), true)}"`;
const seconds = (ms: number) => (ms / 1000).toFixed(3);

export function renderJunit(report: ConformanceReport): string {
  const failOn = report.gate.failOn;
  const providers = [...new Set(report.rules.map((r) => r.provider))] as Provider[];
  const suites = providers.map((p) => {
    const cases = report.rules.filter((r) => r.provider === p).map((r) => ({ r, o: outcome(r, failOn) }));
    const n = (k: Outcome['kind']) => cases.filter((c) => c.o.kind === k).length;
    const target = report.target[p];
    const props: [string, string | number][] = [
      ['target', target ? (target.embedded ? 'embedded mock' : target.url) : 'none'],
      ['document version', report.specVersions[p] ?? ''],
      ['seed', report.seed],
      ['runs', report.runs],
      ['schema mode', report.schemaMode],
      ['fail on', failOn],
      ...(report.deviations.length ? ([['deviations', report.deviations.join(', ')]] as [string, string][]) : []),
    ];
    const testcases = cases.map(({ r, o }) => {
      const open = `    <testcase${attr('classname', `${r.provider}.${r.operation}`)}${attr('name', `${r.id} ${r.title}`)}`;
      if (o.kind === 'pass') return `${open}/>`;
      return `${open}>\n      <${o.kind}${attr('type', o.type)}${attr('message', o.message)}${o.body ? `>${xmlEscape(o.body)}</${o.kind}>` : '/>'}\n    </testcase>`;
    });
    return [
      `  <testsuite${attr('name', p)}${attr('tests', cases.length)}${attr('failures', n('failure'))}${attr('errors', n('error'))}${attr('skipped', n('skipped'))}${attr('timestamp', report.startedAt)}>`,
      '    <properties>',
      ...props.map(([k, v]) => `      <property${attr('name', k)}${attr('value', v)}/>`),
      '    </properties>',
      ...testcases,
      '  </testsuite>',
    ].join('\n');
  });
  const total = (k: 'failure' | 'error') => report.rules.filter((r) => outcome(r, failOn).kind === k).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<!-- card-conformance ${xmlEscape(report.verdict.toUpperCase())}: ${xmlEscape(report.headline).replace(/--/g, '- -')} -->`,
    `<testsuites${attr('name', 'card-conformance')}${attr('tests', report.rules.length)}${attr('failures', total('failure'))}${attr('errors', total('error'))}${attr('time', seconds(report.durationMs))}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
