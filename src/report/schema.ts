/**
 * PLACEHOLDER (branch r3-diff-replay-shards): R1 owns this module and its zod schema; at merge the lead
 * keeps R1's version. Only `readReportFile` is used here, with R1's exact signature: reads a
 * `conformance.json`, and on a missing file or bad JSON throws a one-line `UsageError` naming the file.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../cli/args.ts';
import type { ConformanceReport } from './conformance.ts';

export function readReportFile(path: string): ConformanceReport {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: ${code === 'ENOENT' ? 'file not found' : `cannot be read (${code ?? 'unknown error'})`}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`${path}: not valid JSON`);
  }
  const r = value as Partial<ConformanceReport> | null;
  if (typeof r !== 'object' || r === null || r.tool !== 'card-conformance' || !Array.isArray(r.rules))
    throw new UsageError(`${path}: not a card-conformance report (no "tool": "card-conformance" with "rules")`);
  return r as ConformanceReport;
}
