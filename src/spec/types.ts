/**
 * The types of a provider data module, inferred from the zod schemas in schemas.ts without loading them:
 * the catalogue, the suites' workers and the CLI read the shipped modules as these types, and zod is
 * loaded only where a module is checked (src/spec/build.ts).
 */
import type { z } from 'zod';
import { OPERATIONS } from './registry.ts';
import type * as S from './schemas.ts';

export type Condition = z.infer<typeof S.Condition>;
export type Source = z.infer<typeof S.Source>;
export type FieldRow = z.infer<typeof S.FieldRow>;
export type NoteCheck = z.infer<typeof S.NoteCheck>;
export type NoteRule = z.infer<typeof S.NoteRule>;
export type Agreement = z.infer<typeof S.Agreement>;
export type OperationSpec = z.infer<typeof S.OperationSpec>;
export type ReturnCode = z.infer<typeof S.ReturnCode>;
export type CallSpec = z.infer<typeof S.CallSpec>;
export type ProviderProfile = z.infer<typeof S.ProviderProfile>;
export type SpecVersion = z.infer<typeof S.SpecVersion>;

export function isKnownOperation(provider: string, operation: string): boolean {
  return (OPERATIONS as Record<string, readonly string[]>)[provider]?.includes(operation) ?? false;
}
