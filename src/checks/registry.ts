/**
 * The one registry of check kinds, and the predicate dispatch every consumer uses: the mock's
 * validation, the zod schemas, the generators' self-checks, the suites' judges. Its type lists every
 * kind of `RuleCheck`, so a kind without a module, or a module without one of its parts, does not compile.
 */
import type { Rule, RuleCheck } from '../spec/catalogue.ts';
import { absentForValue, type EvalContext, getPath, isAbsent, isPlainObject, NA, relativePath, type Verdict } from '../spec/evaluate.ts';

import { amountMinorUnits } from './amount-minor-units.ts';
import { amountRange } from './amount-range.ts';
import { codeInCatalogue } from './code-in-catalogue.ts';
import { dateNotBefore } from './date-not-before.ts';
import { dateNotBeforeToday } from './date-not-before-today.ts';
import { decimalPositive } from './decimal-positive.ts';
import { echo } from './echo.ts';
import { enumKind } from './enum.ts';
import { forbiddenWhen } from './forbidden-when.ts';
import { format } from './format.ts';
import { jsonObject } from './json-object.ts';
import { knownValue } from './known-value.ts';
import { luhn } from './luhn.ts';
import { maxLength } from './max-length.ts';
import { monthYearOf } from './month-year-of.ts';
import { noUntabledFields } from './no-untabled-fields.ts';
import { oppositeFlags } from './opposite-flags.ts';
import { pattern } from './pattern.ts';
import { required } from './required.ts';
import { requiredWhen } from './required-when.ts';
import { startsWithBin } from './starts-with-bin.ts';
import { successCode } from './success-code.ts';
import { acceptsValid, behaviour, codeMatchesRule } from './suite-decided.ts';
import { type } from './type.ts';
import type { CheckKind, CheckOf, Registry } from './types.ts';
import { valueWhen } from './value-when.ts';

export const CHECK_KINDS: Registry = {
  jsonObject,
  acceptsValid,
  noUntabledFields,
  required,
  requiredWhen,
  type,
  maxLength,
  pattern,
  format,
  enum: enumKind,
  amountMinorUnits,
  amountRange,
  decimalPositive,
  dateNotBeforeToday,
  dateNotBefore,
  forbiddenWhen,
  valueWhen,
  knownValue,
  luhn,
  startsWithBin,
  monthYearOf,
  echo,
  successCode,
  oppositeFlags,
  codeInCatalogue,
  codeMatchesRule,
  behaviour,
};

/** The module of a rule's kind. */
export const kindOf = <K extends RuleCheck['kind']>(check: CheckOf<K>): CheckKind<K> => CHECK_KINDS[check.kind as K] as CheckKind<K>;

/** Kinds decided on the field's own value (the schema's leaves); the others need the whole object. */
export const isValueKind = (kind: RuleCheck['kind']): boolean => CHECK_KINDS[kind].scope === 'value';

/** A value rule on a field's own value. An absent value is `n/a`: presence is a rule of its own. */
export function holdsValue(rule: Rule, v: unknown, ctx: EvalContext): Verdict {
  if (absentForValue(v, ctx.mode)) return NA;
  // an element still being made (GEP outcome 2) may be an empty string in any mode
  if (rule.mayArriveLater && ctx.allowIncomplete && isAbsent(v)) return NA;
  return (kindOf(rule.check).holds as CheckKind<RuleCheck['kind']>['holds'])({ check: rule.check, rule, root: undefined, value: v, ctx });
}

/** Any rule, against the whole object it belongs to (the request, or the decoded answer). */
export function evaluate(rule: Rule, root: unknown, ctx: EvalContext): Verdict {
  const kind = kindOf(rule.check) as CheckKind<RuleCheck['kind']>;
  if (rule.check.kind === 'jsonObject') return kind.holds({ check: rule.check, rule, root, value: root, ctx });
  if (!isPlainObject(root)) return NA;
  const value = getPath(root, relativePath(rule));
  if (kind.scope === 'value') return holdsValue(rule, value, ctx);
  return kind.holds({ check: rule.check, rule, root, value, ctx });
}
