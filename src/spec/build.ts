/**
 * The catalogue built from checked data: every data module and version read through its zod schema
 * (schemas.ts), so that a malformed one fails with one line naming the module and the row. The shipped
 * data is checked so by the build (bin/build.mjs: `checkShippedData`) and by the tests; a run then reads
 * a plain copy of it unchecked (catalogue.ts), without loading zod.
 */
import type { z } from 'zod';
import { dataModules, specVersions } from '../../contracts/index.ts';
import {
  assembleCatalogue,
  type Catalogue,
  type DataCheck,
  type ModuleInput,
  type Overrides,
  SpecError,
  type VersionInput,
} from './catalogue.ts';
import { NoteCheck, OperationSpec, ProviderProfile, SpecVersion } from './schemas.ts';

const fmtIssue = (issue: z.core.$ZodIssue, data: unknown): string => {
  const path = issue.path.map(String);
  let where = path.join('.');
  // Name the row, as a person reading the table would: `request row 03 (startDate)`.
  if ((path[0] === 'request' || path[0] === 'response' || path[0] === 'rules') && path[1] !== undefined) {
    const list = (data as Record<string, unknown[]>)[path[0]];
    const item = Array.isArray(list) ? (list[Number(path[1])] as Record<string, unknown> | undefined) : undefined;
    const label =
      path[0] === 'rules'
        ? `rule ${String(item?.['field'] ?? '?')}.${String(item?.['rule'] ?? '?')}`
        : `${path[0]} row ${String(item?.['row'] ?? path[1])} (${String(item?.['path'] ?? '?')})`;
    where = [label, ...path.slice(2)].join(' ');
  }
  return `${where || 'module'}: ${issue.message}`;
};

function parseModule<T>(schema: z.ZodType<T>, input: { module: string; data: unknown }): T {
  const parsed = schema.safeParse(input.data);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more)` : '';
    throw new SpecError(`${input.module}: ${fmtIssue(first, input.data)}${more}`);
  }
  return parsed.data;
}

const ZOD_CHECK: DataCheck = {
  profile: (m) => parseModule(ProviderProfile, m),
  operation: (m) => parseModule(OperationSpec, m),
  version: (v) => parseModule(SpecVersion, v),
  noteCheck(id, merged) {
    const asNote = NoteCheck.safeParse(merged);
    if (NoteCheck.options.some((opt) => opt.shape.kind.value === merged['kind']) && !asNote.success) {
      throw new SpecError(
        `override ${id}: ${asNote.error.issues[0]?.message ?? 'invalid'} at ${asNote.error.issues[0]?.path.join('.') ?? ''}`,
      );
    }
  },
};

/** The catalogue of `modules` (the shipped ones by default) and `versions`, each checked against its schema first. */
export function buildCatalogue(
  modules: readonly ModuleInput[] = dataModules as unknown as ModuleInput[],
  overrides: Overrides = {},
  versions: readonly VersionInput[] = [],
): Catalogue {
  return assembleCatalogue(modules, overrides, versions, ZOD_CHECK);
}

/**
 * Every shipped data module, with each shipped version selected in turn, checked against the schemas:
 * the build runs it before a build is used, so that `catalogue()` may read the shipped data unchecked.
 * Throws the first `SpecError`.
 */
export function checkShippedData(): void {
  buildCatalogue();
  for (const v of specVersions) buildCatalogue(undefined, undefined, [v]);
}
