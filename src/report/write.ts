/**
 * The four report files of a run, written into the report directory whole or not at all: every file is
 * rendered and written to a temporary name first, then each is renamed into place.
 *
 * - `conformance.json` — the report (src/report/schema.ts reads it back);
 * - `junit.xml` — one testcase per rule (src/report/junit.ts);
 * - `conformance.md` — the pull-request summary (src/report/markdown.ts), also appended to
 *   `$GITHUB_STEP_SUMMARY` when that is set, cut to what is left of GitHub's 1 MiB;
 * - `conformance.html` — the page (src/report/html.ts);
 * - `cards.json` — the run id, the targets and every card the run opened (no card data), for a team to close them.
 *
 * Redaction: the report's values are redacted once (field names and kinds: secrets, card numbers, CVVs,
 * tokens, keys), every file is rendered from that copy, and each rendered text passes the redactor's
 * wire pass once more (what a renderer put together from parts is checked again; a reproduction's GEP
 * ciphertext stays whole so that it replays).
 */
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createRedactor } from '../wire/redact.ts';
import type { ConformanceReport } from './conformance.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown, STEP_SUMMARY_LIMIT } from './markdown.ts';

export const REPORT_FILES = {
  json: 'conformance.json',
  junit: 'junit.xml',
  markdown: 'conformance.md',
  html: 'conformance.html',
  cards: 'cards.json',
} as const;

export type ReportPaths = { [K in keyof typeof REPORT_FILES]: string } & {
  /** Set when `$GITHUB_STEP_SUMMARY` was set: where the summary went, or why it could not. */
  stepSummary?: { path: string; error?: string };
};

/** The step summary variable GitHub Actions sets to a file a step may append Markdown to. */
export const STEP_SUMMARY_VARIABLE = 'GITHUB_STEP_SUMMARY';

/**
 * Write the report files into `dir` (created if missing). `identifiers`: configured merchant numbers left
 * alone (they replay in a reproduction; they are not cards).
 */
export function writeReports(
  dir: string,
  report: ConformanceReport,
  secrets: readonly string[],
  identifiers: readonly string[] = [],
  env: Readonly<Record<string, string | undefined>> = process.env,
): ReportPaths {
  mkdirSync(dir, { recursive: true });
  const redactor = createRedactor({ secrets, keep: identifiers });
  // redact values, then serialise: redacting the JSON text could cut through an escaped quote
  const safe = redactor.value(report) as ConformanceReport;
  const pointer = relative(process.cwd(), join(dir, REPORT_FILES.html)) || REPORT_FILES.html;
  const texts: Record<keyof typeof REPORT_FILES, string> = {
    json: `${JSON.stringify(safe, null, 2)}\n`,
    junit: redactor.wire(renderJunit(safe)),
    markdown: redactor.wire(renderMarkdown(safe, { maxBytes: STEP_SUMMARY_LIMIT, fullReport: pointer })),
    html: redactor.wire(renderHtml([safe])),
    cards: `${JSON.stringify({ tool: safe.tool, runId: safe.runId, startedAt: safe.startedAt, target: safe.target, cards: safe.cards }, null, 2)}\n`,
  };
  const keys = Object.keys(REPORT_FILES) as (keyof typeof REPORT_FILES)[];
  const paths = Object.fromEntries(keys.map((k) => [k, join(dir, REPORT_FILES[k])])) as Record<keyof typeof REPORT_FILES, string>;
  const tmp = (k: keyof typeof REPORT_FILES) => `${paths[k]}.${process.pid}.tmp`;
  try {
    for (const k of keys) writeFileSync(tmp(k), texts[k]);
  } catch (e) {
    for (const k of keys) rmSync(tmp(k), { force: true });
    throw e;
  }
  for (const k of keys) renameSync(tmp(k), paths[k]);
  const summary = env[STEP_SUMMARY_VARIABLE];
  if (!summary) return paths;
  return { ...paths, stepSummary: appendStepSummary(summary, safe, pointer, redactor.wire) };
}

/** Append the Markdown to the step summary file, within what is left of the 1 MiB limit there. */
function appendStepSummary(
  path: string,
  report: ConformanceReport,
  pointer: string,
  wire: (s: string) => string,
): { path: string; error?: string } {
  try {
    let used = 0;
    try {
      used = statSync(path).size;
    } catch {
      // a new file
    }
    const room = STEP_SUMMARY_LIMIT - used - 1;
    if (room < 1024) return { path, error: `${path} already holds ${used} bytes of GitHub's ${STEP_SUMMARY_LIMIT}-byte limit` };
    appendFileSync(path, `${wire(renderMarkdown(report, { maxBytes: room, fullReport: pointer }))}\n`);
    return { path };
  } catch (e) {
    return { path, error: `${path} cannot be written (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  }
}
