/**
 * The waivers file (`conformance.waivers.json`, `run --waivers`), read and checked against its zod schema:
 * one line naming the file for a missing or unreadable file, bad JSON, a schema problem, a duplicate or an
 * unknown rule id. Apart from gate.ts so that a run without a waivers file never loads zod (45 ms of the
 * run's start): `run` imports this module only when there is a file to read.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UsageError } from '../wire/errors.ts';

const calendarDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'is not a calendar day');

const text = z.string().trim().min(1, 'must not be empty');

export const waiverSchema = z.strictObject({ rule: text, reason: text, owner: text, expires: calendarDay });
export const waiversFileSchema = z.strictObject({ waivers: z.array(waiverSchema) });
export type Waiver = z.infer<typeof waiverSchema>;

/** The first problem zod found, as `waivers[2].expires: must be a date YYYY-MM-DD`. */
export function firstIssue(err: z.ZodError): string {
  const i = err.issues[0];
  if (!i) return 'invalid';
  const path = i.path.map((p, n) => (typeof p === 'number' ? `[${p}]` : `${n ? '.' : ''}${String(p)}`)).join('');
  return `${path ? `${path}: ` : ''}${i.message}`;
}

/**
 * Read and check a waivers file: a clear one-line `UsageError` naming the file for a missing or unreadable
 * file, bad JSON, a schema problem, a duplicate or an unknown rule id (`known`: every rule id of the catalogue).
 */
export function readWaiversFile(path: string, known: ReadonlySet<string>): Waiver[] {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`waivers file ${path} cannot be read`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    throw new UsageError(`waivers file ${path} is not JSON (${String((e as Error).message).split('\n')[0]})`);
  }
  const parsed = waiversFileSchema.safeParse(json);
  if (!parsed.success) throw new UsageError(`waivers file ${path}: ${firstIssue(parsed.error)}`);
  const seen = new Set<string>();
  parsed.data.waivers.forEach((w, i) => {
    if (!known.has(w.rule))
      throw new UsageError(`waivers file ${path}: waivers[${i}].rule: unknown rule id "${w.rule}" (card-conformance rules lists them)`);
    if (seen.has(w.rule)) throw new UsageError(`waivers file ${path}: waivers[${i}].rule: "${w.rule}" is waived twice`);
    seen.add(w.rule);
  });
  return parsed.data.waivers;
}
