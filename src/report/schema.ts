/**
 * The zod schema of `conformance.json` (schema version 1) and the one way to read a report back
 * (`diff`, `replay`, `report`, `merge`): a missing file, bad JSON, another tool's file or another schema
 * version ends in one line naming the file and the first problem, never a stack trace.
 *
 * Objects are loose: fields a later version adds beside these survive a read; a field this version
 * names must be there with its type. The type checks below keep the schema and `ConformanceReport` equal.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TARGET_KINDS } from '../config/target-kind.ts';
import { RULE_VERDICTS } from '../conformance/findings.ts';
import { PROFILES } from '../conformance/settings.ts';
import { FINDING_KINDS } from '../spec/lint.ts';
import { LEVELS, PROVIDERS } from '../spec/registry.ts';
import { UsageError } from '../wire/errors.ts';
import type { ConformanceReport } from './conformance.ts';
import { SCHEMA_VERSION } from './conformance.ts';
import { FAIL_ON } from './gate.ts';
import { firstIssue } from './waivers.ts';

const provider = z.enum(PROVIDERS);
const level = z.enum(LEVELS);
const ruleVerdict = z.enum(RULE_VERDICTS);
const count = z.number().int().nonnegative();

const evidence = z.looseObject({
  message: z.string(),
  rule: z.string().optional(),
  source: z.string().optional(),
  note: z.string().optional(),
  expected: z.string().optional(),
  sent: z.unknown().optional(),
  received: z.unknown().optional(),
  status: z.number().optional(),
  at: z.string().optional(),
  ids: z.record(z.string(), z.string()).optional(),
  target: z.string().optional(),
  document: z.string().optional(),
  reproduction: z.string().optional(),
  call: z.string().optional(),
  reproductionNote: z.string().optional(),
  seed: z.number().optional(),
  path: z.string().optional(),
  shrunk: z.looseObject({ steps: z.number(), tries: z.number(), from: z.string() }).optional(),
  case: z
    .looseObject({
      property: z.enum(['acceptance', 'rejection']),
      rules: z.array(z.string()),
      way: z.string().optional(),
      overlaps: z.array(z.string()).optional(),
    })
    .optional(),
});

export const ruleResultSchema = z.looseObject({
  id: z.string().min(1),
  provider,
  operation: z.string(),
  field: z.string(),
  level,
  title: z.string(),
  source: z.string(),
  verdict: z.enum([...ruleVerdict.options, 'waived']),
  checks: count,
  requests: count,
  evidence: z.array(evidence),
  reason: z.string().optional(),
  waiver: z.looseObject({ reason: z.string(), owner: z.string(), expires: z.string() }).optional(),
  excluded: z.literal(true).optional(),
  classes: z.array(z.string()).optional(),
});

const control = z.looseObject({
  ok: z.boolean(),
  reason: z.string().optional(),
  accepted: count,
  sent: count,
  requests: count.optional(),
});
const perProvider = z.partialRecord(provider, count);

export const conformanceReportSchema = z.looseObject({
  tool: z.literal('card-conformance'),
  schemaVersion: z.literal(SCHEMA_VERSION),
  verdict: z.enum(['pass', 'fail', 'error']),
  exitCode: z.union([z.literal(0), z.literal(1), z.literal(3)]),
  headline: z.string(),
  // reports written before exclusions were listed read as having none
  exclusions: z.array(z.looseObject({ id: z.string(), level: z.enum(LEVELS), reason: z.string() })).default([]),
  target: z.partialRecord(provider, z.looseObject({ url: z.string(), embedded: z.boolean(), kind: z.enum(TARGET_KINDS) })),
  runId: z.string(),
  seed: z.number().int(),
  runs: count,
  profile: z.enum(PROFILES),
  schemaMode: z.string(),
  specVersions: z.partialRecord(provider, z.string()),
  deviations: z.array(z.string()),
  positiveControl: z.partialRecord(provider, control),
  startedAt: z.string(),
  durationMs: z.number(),
  testsMs: z.number(),
  summary: z.looseObject({
    rules: count,
    pass: count,
    fail: count,
    flaky: count,
    error: count,
    skipped: count,
    checks: count,
    cases: count,
    requests: count,
    failedMust: count,
    failedShould: count,
    failedInfo: count,
    waived: count,
    requestsByProvider: perProvider,
    mockRequests: perProvider.optional(),
    coverage: z.number().min(0).max(100),
    minCoverage: z.number().optional(),
  }),
  gate: z.looseObject({ failOn: z.enum(FAIL_ON) }),
  waivers: z.looseObject({
    file: z.string().optional(),
    applied: z.array(z.string()),
    expired: z.array(z.looseObject({ id: z.string(), owner: z.string(), expires: z.string() })),
    stale: z.array(z.looseObject({ id: z.string(), owner: z.string() })),
  }),
  assumptions: z.array(z.looseObject({ provider, what: z.string(), choice: z.string(), origin: z.string() })),
  problems: z.array(z.string()),
  specFindings: z.array(
    z.looseObject({
      provider,
      version: z.string(),
      level: z.literal('INFO'),
      kind: z.enum(FINDING_KINDS),
      ruleId: z.string().optional(),
      message: z.string(),
      rows: z.array(z.string()),
    }),
  ),
  rules: z.array(ruleResultSchema),
  cards: z.array(
    z.looseObject({
      provider,
      cardId: z.string().optional(),
      orderNo: z.string(),
      amount: z.string(),
      currency: z.string().optional(),
      amountField: z.string().optional(),
      outcome: z.enum(['opened', 'pending', 'unknown', 'refused']),
    }),
  ),
  shard: z.looseObject({ index: count, count }).optional(),
  pacts: z
    .array(
      z.looseObject({
        provider,
        description: z.string(),
        verdict: ruleVerdict,
        failed: z.array(z.string()),
        reason: z.string().optional(),
      }),
    )
    .optional(),
});

// The schema and the interface stay equal: each side must be assignable to the other.
// (less the loose objects' index signatures, which only say that later fields are kept)
type Named<T> = unknown extends T
  ? T
  : T extends readonly (infer U)[]
    ? Named<U>[]
    : T extends object
      ? { [K in keyof T as string extends K ? never : K]: Named<T[K]> }
      : T;
type Parsed = z.output<typeof conformanceReportSchema>;
const _parsedIsReport = (x: Parsed): ConformanceReport => x;
const _reportIsParsed = (x: ConformanceReport): Named<Parsed> => x;
void _parsedIsReport;
void _reportIsParsed;

/** Read and validate a `conformance.json`; a `UsageError` of one line naming the file and the first problem otherwise. */
export function readReportFile(path: string): ConformanceReport {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      `report ${path} ${code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : 'cannot be read'}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    throw new UsageError(`report ${path} is not JSON (${String((e as Error).message).split('\n')[0]})`);
  }
  const head = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  if (head['tool'] !== 'card-conformance')
    throw new UsageError(`report ${path} is not a card-conformance report (no "tool": "card-conformance")`);
  if (head['schemaVersion'] !== SCHEMA_VERSION)
    throw new UsageError(
      `report ${path} has schemaVersion ${JSON.stringify(head['schemaVersion'] ?? null)}; this card-conformance reads version ${SCHEMA_VERSION}`,
    );
  const parsed = conformanceReportSchema.safeParse(json);
  if (!parsed.success) throw new UsageError(`report ${path} does not match the report schema: ${firstIssue(parsed.error)}`);
  return parsed.data;
}
