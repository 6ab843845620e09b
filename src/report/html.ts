/**
 * PLACEHOLDER for engineer R2's `renderHtml` (issue 14, item 1: the full single-run view and the
 * rules × runs matrix). It keeps the agreed signature and writes a minimal, self-contained page
 * (escaped, no script, no network fetch): one row per rule, one verdict column per run. The lead keeps
 * R2's file at merge.
 */
import type { ConformanceReport } from './conformance.ts';

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

export function renderHtml(runs: ConformanceReport[], opts?: { title?: string }): string {
  const title = opts?.title ?? 'card-conformance report';
  const ids = [...new Set(runs.flatMap((r) => r.rules.map((x) => x.id)))];
  const rows = ids.map((id) => {
    const rule = runs.flatMap((r) => r.rules).find((x) => x.id === id);
    const cells = runs.map((r) => `<td>${esc(r.rules.find((x) => x.id === id)?.verdict ?? '')}</td>`).join('');
    return `<tr><td>${esc(id)}</td><td>${esc(rule?.level ?? '')}</td>${cells}</tr>`;
  });
  return [
    '<!doctype html>',
    `<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body>`,
    `<h1>${esc(title)}</h1>`,
    ...runs.map((r) => `<p>${esc(r.verdict.toUpperCase())}: ${esc(r.headline)} (${esc(r.startedAt)})</p>`),
    `<table><thead><tr><th>rule</th><th>level</th>${runs.map((r) => `<th>${esc(r.startedAt)}</th>`).join('')}</tr></thead>`,
    `<tbody>${rows.join('\n')}</tbody></table>`,
    '</body></html>',
    '',
  ].join('\n');
}
