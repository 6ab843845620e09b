/**
 * `conformance.md`: the report as a pull-request comment or GitHub step summary. The small parts come
 * first (headline, target, counts per provider × level, waivers, skipped reasons), the failing rules last,
 * each with expected vs received, the quoted source and the reproduction, so that a summary cut to a size
 * limit loses only failures beyond the first ones, and says where the rest is.
 *
 * Renders an already redacted report; `writeReports` redacts before and after.
 */
import { LEVELS } from '../spec/registry.ts';
import type { ConformanceReport, ReportVerdict, RuleResult } from './conformance.ts';
import { failsGate } from './gate.ts';
import { evidenceLines } from './junit.ts';

/** GitHub's limit on a job's step summary. */
export const STEP_SUMMARY_LIMIT = 1024 * 1024;

export interface MarkdownOptions {
  /** Largest size in bytes (UTF-8); what does not fit is cut at a failure's boundary, with the pointer. */
  maxBytes?: number;
  /** Where the full report is, for the truncation note (`reports/conformance.html`). */
  fullReport?: string;
}

/** A table cell: one line, pipes escaped. */
const cell = (s: string) => s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
/** Inline text: one line, Markdown's active characters escaped. */
const inline = (s: string) => s.replace(/\r?\n/g, ' ').replace(/([\\`*_[\]<>|#])/g, '\\$1');

/** A fenced block whose fence is longer than any backtick run inside. */
function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}

const COLUMNS: ReportVerdict[] = ['pass', 'fail', 'flaky', 'error', 'waived', 'skipped'];

function failureBlock(r: RuleResult, gating: boolean): string {
  const head = `#### ${r.verdict === 'flaky' ? '~' : '✗'} \`${r.id}\` (${r.level}${r.verdict === 'flaky' ? ', flaky' : ''}${gating ? '' : ', not gating'})`;
  const evidence = r.evidence.length ? r.evidence.map((e) => fenced(evidenceLines(e).join('\n'))).join('\n\n') : inline(r.reason ?? '');
  return [head, '', `${inline(r.title)}`, '', `> ${inline(r.source)}`, '', evidence, ''].join('\n');
}

export function renderMarkdown(report: ConformanceReport, opts: MarkdownOptions = {}): string {
  const failOn = report.gate.failOn;
  const mark = report.verdict === 'pass' ? '✅' : report.verdict === 'fail' ? '❌' : '⚠️';
  const head: string[] = [
    `## ${mark} card-conformance: ${report.verdict.toUpperCase()}`,
    '',
    `**${inline(report.headline)}**`,
    '',
    `- target: ${Object.entries(report.target)
      .map(
        ([p, t]) =>
          `${p} ${t.embedded ? 'embedded mock' : `\`${t.url}\``} (document ${report.specVersions[p as keyof typeof report.specVersions] ?? '?'})`,
      )
      .join(', ')}`,
    `- seed ${report.seed}, ${report.runs} runs, ${report.schemaMode} schemas, fail on ${failOn}${report.deviations.length ? `, deviations: ${report.deviations.join(', ')}` : ''}`,
    `- ${report.summary.checks} checks over ${report.summary.cases} generated cases (${report.summary.requests} requests) in ${(report.durationMs / 1000).toFixed(1)} s, started ${report.startedAt}`,
    '',
    `| provider | level | ${COLUMNS.join(' | ')} |`,
    `|---|---|${COLUMNS.map(() => '---:').join('|')}|`,
  ];
  const providers = [...new Set(report.rules.map((r) => r.provider))];
  for (const p of providers)
    for (const l of LEVELS) {
      const rs = report.rules.filter((r) => r.provider === p && r.level === l);
      if (rs.length) head.push(`| ${p} | ${l} | ${COLUMNS.map((v) => rs.filter((r) => r.verdict === v).length).join(' | ')} |`);
    }
  head.push('');
  for (const x of report.problems) head.push(`- problem: ${inline(x)}`);
  const w = report.waivers;
  if (w.file || w.applied.length || w.expired.length || w.stale.length) {
    head.push(`### Waivers${w.file ? ` (\`${cell(w.file)}\`)` : ''}`, '');
    for (const id of w.applied) {
      const r = report.rules.find((x) => x.id === id);
      head.push(
        `- applied: \`${id}\` — ${inline(r?.waiver?.reason ?? '')} (${inline(r?.waiver?.owner ?? '')}, until ${r?.waiver?.expires ?? ''})`,
      );
    }
    for (const x of w.expired) head.push(`- **expired** (fails the gate): \`${x.id}\` (${inline(x.owner)}, expired ${x.expires})`);
    for (const x of w.stale) head.push(`- stale (no failure to waive): \`${x.id}\` (${inline(x.owner)})`);
    if (!w.applied.length && !w.expired.length && !w.stale.length) head.push('- none');
    head.push('');
  }
  const skipped = report.rules.filter((r) => r.verdict === 'skipped');
  if (skipped.length) {
    const by = new Map<string, number>();
    for (const r of skipped) by.set(r.reason ?? 'no reason given', (by.get(r.reason ?? 'no reason given') ?? 0) + 1);
    head.push(`### ${skipped.length} skipped`, '');
    for (const [reason, n] of [...by].sort((a, b) => b[1] - a[1])) head.push(`- ${n} × ${inline(reason)}`);
    head.push('');
  }
  const errors = report.rules.filter((r) => r.verdict === 'error');
  if (errors.length) {
    head.push(`### ${errors.length} in error`, '');
    for (const r of errors) head.push(`- \`${r.id}\` (${r.level}): ${inline(r.reason ?? '')}`);
    head.push('');
  }
  // failures that fail the gate first, then the others
  const failures = report.rules
    .filter((r) => r.verdict === 'fail' || r.verdict === 'flaky')
    .map((r) => ({ r, gating: failsGate(r.level, failOn) }))
    .sort((a, b) => Number(b.gating) - Number(a.gating));
  const blocks = failures.length ? [`### ${failures.length} failing rules`, '', ...failures.map((f) => failureBlock(f.r, f.gating))] : [];

  const max = opts.maxBytes ?? Number.POSITIVE_INFINITY;
  const note = (left: number) =>
    `\n_… ${left} more failing rules not shown (size limit): the full report is ${opts.fullReport ? `\`${cell(opts.fullReport)}\`` : 'conformance.html and conformance.json in the report directory'}._\n`;
  let text = `${head.join('\n')}\n`;
  const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
  const reserve = bytes(note(failures.length));
  if (bytes(text) + reserve > max) {
    // not even the head fits: cut it at a line
    let cut = text;
    while (cut && bytes(cut) + reserve > max) cut = cut.slice(0, cut.lastIndexOf('\n', cut.length - 2) + 1);
    return cut + note(failures.length);
  }
  let size = bytes(text);
  for (let i = 0; i < blocks.length; i++) {
    const next = `${blocks[i]}\n`;
    const n = bytes(next);
    if (size + n + (i < blocks.length - 1 ? reserve : 0) > max) {
      // the title and blank line (blocks 0, 1) are not failures
      return text + note(failures.length - Math.max(0, i - 2));
    }
    text += next;
    size += n;
  }
  return text;
}
