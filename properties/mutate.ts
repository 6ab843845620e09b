/**
 * For each rule, mutators that break exactly that rule and keep the rest valid where the data allows
 * (a pattern that bounds the length, like `[a-zA-Z]{1,32}`, breaks with its maxLength: such overlaps are
 * reported, not hidden). A mutator starts from a valid object generated under `constraintsFor(rule)`.
 */
import type { Rule } from '../src/spec/catalogue.ts';
import { FORMAT_TESTS, fullMatch, getPath, isAbsent, relativePath } from '../src/spec/evaluate.ts';
import { withCheckDigit } from '../src/wire/luhn.ts';
import { addDays, asType, clone, deleteAt, type GenContext, setAt } from './generate.ts';
import type { OperationPlan } from './plan.ts';

export interface Mutation {
  /** The broken object (or a non-object body, for `jsonObject`). */
  value: unknown;
  /** How the rule was broken, where the profile maps a code per way (`below`, `above`). */
  way?: string;
  /** What was done, for reports and reproductions: `deposit = "999" (min − 1)`. */
  note: string;
}

const WRONG_TYPE: Record<string, unknown> = { string: true, number: 'abc', long: 'x1', boolean: 'yes', object: 'x' };
const BAD_FORMAT: Record<string, string[]> = {
  date: ['2024/08/14', '2023-02-29', '14-08-2024'],
  monthYear: ['13/2026', '1/2026', '2026-01'],
  url: ['not a url', 'ftp://example.com/x'],
  hex32: ['XYZ', '665597457B9B37CB000187A035002030'],
  digits: ['12a4'],
  decimal: ['1,5'],
};
const FOREIGN_CHARS = ['1', ' ', '-', '卡', '!', 'a', 'A', '0'];

/** A value of exactly `length` characters that keeps the other value rules of the field where it can. */
function ofLength(base: string, length: number): string {
  const unit = base.length > 0 ? base : 'a';
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

export function mutate(rule: Rule, valid: Record<string, unknown>, plan: OperationPlan, g: GenContext): Mutation[] {
  const path = relativePath(rule);
  const f = plan.fields.find((x) => x.path === path);
  const v = getPath(valid, path);
  const s = typeof v === 'string' ? v : v === undefined ? '' : String(v);
  const with_ = (value: unknown, note: string, way?: string): Mutation => {
    const o = clone(valid);
    setAt(o, path, value);
    return { value: o, note, ...(way ? { way } : {}) };
  };
  const ch = rule.check;
  switch (ch.kind) {
    case 'jsonObject':
      return [
        { value: [valid], note: 'body is a JSON array' },
        { value: 'x', note: 'body is a JSON string' },
      ];
    case 'noUntabledFields':
      return [{ value: { ...clone(valid), untabledField: 'x' }, note: 'adds untabledField' }];
    case 'required':
    case 'requiredWhen': {
      const gone = clone(valid);
      deleteAt(gone, path);
      return [{ value: gone, note: `${path} left out` }, with_('', `${path} = ""`)];
    }
    case 'type': {
      const wrong = WRONG_TYPE[ch.type];
      // In lenient mode a numeric string is a number; the wrong type must be wrong in both modes.
      return [with_(wrong, `${path} = ${JSON.stringify(wrong)} (not a ${ch.type})`)];
    }
    case 'maxLength':
      return [with_(ofLength(s, ch.max + 1), `${path} is ${ch.max + 1} characters (max + 1)`)];
    case 'pattern': {
      const re = fullMatch(ch.pattern);
      const max = f?.check('maxLength')?.max ?? Number.POSITIVE_INFINITY;
      for (const c of FOREIGN_CHARS) {
        const cand = s.length > 0 ? s.slice(0, -1) + c : c;
        if (!re.test(cand) && cand.length <= max)
          return [with_(asType(f!, cand, g.mode), `${path} = ${JSON.stringify(cand)} (breaks ${ch.pattern})`)];
      }
      return [with_(`${s}!`, `${path} gets a "!" (breaks ${ch.pattern})`)];
    }
    case 'format':
      return (BAD_FORMAT[ch.format] ?? ['?'])
        .filter((b) => !FORMAT_TESTS[ch.format]!(b))
        .map((b) => with_(b, `${path} = ${JSON.stringify(b)} (not ${ch.format})`));
    case 'enum': {
      const out = ['9', '-1'].find((x) => !ch.values.includes(x))!;
      return [with_(asType(f!, out, g.mode), `${path} = ${out} (not one of ${ch.values.join(', ')})`)];
    }
    case 'amountMinorUnits':
      return [with_(`${s}.00`, `${path} = "${s}.00" (not whole cents)`), with_('1e3', `${path} = "1e3"`)];
    case 'amountRange': {
      const below = (BigInt(ch.min) - 1n).toString();
      const above = (BigInt(ch.max) + 1n).toString();
      return [with_(below, `${path} = "${below}" (min − 1)`, 'below'), with_(above, `${path} = "${above}" (max + 1)`, 'above')];
    }
    case 'decimalPositive':
      return [with_(asType(f!, '0', g.mode), `${path} = 0`), with_(asType(f!, '-1', g.mode), `${path} = -1`)];
    case 'dateNotBeforeToday': {
      const y = addDays(g.today, -1);
      return [with_(y, `${path} = ${y} (yesterday in the provider's zone)`)];
    }
    case 'dateNotBefore': {
      const other = getPath(valid, ch.other);
      if (typeof other !== 'string') return [];
      const d = addDays(other, -1);
      return [with_(d, `${path} = ${d} (one day before ${ch.other})`)];
    }
    case 'forbiddenWhen': {
      const value = f ? (f.row?.named?.[0] ?? 'AA') : 'x';
      return [with_(value, `${path} = ${JSON.stringify(value)} although forbidden`)];
    }
    case 'valueWhen': {
      const out = ['1005', '1', 'x'].find((x) => !ch.values.includes(x))!;
      return [with_(asType(f!, out, g.mode), `${path} = ${out} (must be ${ch.values.join(' or ')} here)`)];
    }
    case 'knownValue':
      return [with_('ZZZ', `${path} = "ZZZ" (not in ${ch.of})`)];
    case 'luhn': {
      if (!/^\d+$/.test(s)) return [];
      const last = (Number(s.at(-1)) + 1) % 10;
      return [with_(s.slice(0, -1) + last, `${path} check digit changed (fails Luhn)`)];
    }
    case 'startsWithBin': {
      if (isAbsent(v)) return [];
      const first = s[0] === '9' ? '8' : '9';
      const body = first + s.slice(1, -1);
      // keep Luhn valid: only the prefix is wrong
      return [with_(withCheckDigit(body), `${path} starts with ${first} (another BIN)`)];
    }
    case 'monthYearOf': {
      const m = Number(s.slice(0, 2));
      const other = `${String((m % 12) + 1).padStart(2, '0')}${s.slice(2)}`;
      return [with_(other, `${path} = ${other} (another month)`)];
    }
    case 'echo':
      return [with_(s === 'EUR' ? 'USD' : 'EUR', `${path} is not the requested ${ch.requestField}`)];
    case 'successCode': {
      const o = clone(valid);
      o[ch.code] =
        o[ch.success] === true
          ? asType(plan.fields.find((x) => x.path === ch.code)!, '1', g.mode)
          : asType(plan.fields.find((x) => x.path === ch.code)!, ch.value, g.mode);
      return [{ value: o, note: `${ch.code} contradicts ${ch.success}` }];
    }
    case 'oppositeFlags': {
      const o = clone(valid);
      o[ch.error] = o[ch.success];
      return [{ value: o, note: `${ch.error} equals ${ch.success}` }];
    }
    case 'codeInCatalogue':
      return [];
    default:
      return [];
  }
}
