/**
 * PLACEHOLDER (branch r2-html): R1 owns this module (the zod schema of conformance.json and
 * `readReportFile`); the lead keeps R1's at merge. This one only reads and parses, so that `report` can be
 * built and tested: a missing file or bad JSON is one line naming the file, exit 2. It does not validate.
 * (A local error class, not the CLI's UsageError: src/report/ sits below src/cli/ in the floors.)
 */
import { readFileSync } from 'node:fs';
import { CardConformanceError, EXIT, oneLine } from '../wire/errors.ts';
import type { ConformanceReport } from './conformance.ts';

export class ReportFileError extends CardConformanceError {
  override name = 'ReportFileError';
  readonly exitCode = EXIT.usage;
}

export function readReportFile(path: string): ConformanceReport {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ReportFileError(`${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : 'cannot be read'}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ReportFileError(oneLine(`${path}: not JSON (${(err as Error).message})`));
  }
  const r = data as Partial<ConformanceReport> | null;
  if (typeof r !== 'object' || r === null || r.tool !== 'card-conformance' || !Array.isArray(r.rules))
    throw new ReportFileError(`${path}: not a card-conformance report (no "tool": "card-conformance" with a rules list)`);
  return r as ConformanceReport;
}
