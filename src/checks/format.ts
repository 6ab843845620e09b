/**
 * `format`: a value of a named format (calendar date, month/year, http(s) URL, 32 hex, digits, decimal).
 * Date mutators carry a date that a lenient parser would read as inside the window and in order, so a
 * provider that accepts the wrong format is seen: wrong separators, wrong field order, missing zero
 * padding, impossible calendar dates in the future, surrounding whitespace.
 */
import fc from 'fast-check';
import { getPath, isCalendarDate, NUMERIC, of, textOf } from '../spec/evaluate.ts';
import type { Format } from '../spec/registry.ts';
import type { CheckKind, Edge, Mutation, MutationSite } from './types.ts';
import { addDays } from './util.ts';

/** Each format in words, for what a rule expected. */
export const FORMAT_SHAPES: Record<Format, string> = {
  date: 'yyyy-MM-dd (a real calendar date)',
  monthYear: 'MM/yyyy',
  url: 'an absolute http(s) URL',
  hex32: '32 lower-case hex digits',
  digits: 'digits only',
  decimal: 'a decimal number (digits, optionally a point and digits)',
};

/**
 * Each format's shape as a regular expression source (no anchors), for consumers that can only say a
 * regex (Pact matchers). The tests below use them; a date or URL also needs the checks a regex cannot say.
 */
export const FORMAT_PATTERNS: Record<Format, string> = {
  date: '\\d{4}-\\d{2}-\\d{2}',
  monthYear: '(0[1-9]|1[0-2])/\\d{4}',
  url: 'https?://[^\\s/?#]+[^\\s]*',
  hex32: '[0-9a-f]{32}',
  digits: '[0-9]+',
  decimal: NUMERIC.source.slice(1, -1),
};
const shape = (f: Format) => new RegExp(`^(?:${FORMAT_PATTERNS[f]})$`);

export const FORMAT_TESTS: Record<Format, (s: string) => boolean> = {
  date: isCalendarDate,
  monthYear: (s) => shape('monthYear').test(s),
  url: (s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.host !== '' && /^https?:\/\//i.test(s);
    } catch {
      return false;
    }
  },
  hex32: (s) => shape('hex32').test(s),
  digits: (s) => shape('digits').test(s),
  decimal: (s) => shape('decimal').test(s),
};

const pad = (n: number) => String(n).padStart(2, '0');

export function nextLeapDay(today: string): string {
  for (let y = Number(today.slice(0, 4)); ; y++) {
    if ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0) {
      const d = `${y}-02-29`;
      if (d >= today) return d;
    }
  }
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/**
 * Date fields that must not be before this one (`endDate` for `startDate`), set to a valid date on or
 * after `day` so that the mutated date, read leniently, is still in order.
 */
function keepOrder(site: MutationSite<'format'>, day: string): Record<string, string> {
  const also: Record<string, string> = {};
  for (const r of site.siblings) {
    if (r.check.kind !== 'dateNotBefore' || r.check.other !== site.path) continue;
    const cur = getPath(site.valid, r.field);
    if (typeof cur === 'string' && isCalendarDate(cur) && cur >= day) continue;
    also[r.field] = day;
  }
  return also;
}

function dateMutations(site: MutationSite<'format'>): Mutation[] {
  const { path, text, with: w } = site;
  const base = isCalendarDate(text) ? text : site.g.today;
  // a date with a one-digit month and day, on or after the valid one, for the padding class
  let small = base;
  for (let i = 0; i < 400 && !/-0\d-0\d$/.test(small); i++) small = addDays(small, 1);
  const [y, m, d] = base.split('-') as [string, string, string];
  const [sy, sm, sd] = small.split('-').map(Number) as [number, number, number];
  const next = Number(y) + 1;
  let common = next;
  while (isLeap(common)) common++;
  // variant: what a date can get wrong — its separators, the order of its parts, its padding, a day not on
  // the calendar, blanks around it
  const cases: { value: string; what: string; lenient: string; variant: string }[] = [
    { value: `${y}/${m}/${d}`, what: 'slashes for separators', lenient: base, variant: 'separators' },
    { value: `${y}.${m}.${d}`, what: 'dots for separators', lenient: base, variant: 'separators' },
    { value: `${y}${m}${d}`, what: 'no separators', lenient: base, variant: 'separators' },
    { value: `${d}-${m}-${y}`, what: 'day first (dd-MM-yyyy)', lenient: base, variant: 'order' },
    { value: `${m}-${d}-${y}`, what: 'month first (MM-dd-yyyy)', lenient: base, variant: 'order' },
    { value: `${sy}-${sm}-${sd}`, what: 'no zero padding', lenient: small, variant: 'padding' },
    { value: `${common}-02-29`, what: `29 February of the common year ${common}`, lenient: `${common}-03-01`, variant: 'calendar' },
    { value: `${next}-04-31`, what: 'day 31 of a 30-day month', lenient: `${next}-05-01`, variant: 'calendar' },
    { value: `${next}-13-01`, what: 'month 13', lenient: `${next + 1}-01-01`, variant: 'calendar' },
    { value: `${next}-01-00`, what: 'day 0', lenient: `${next - 1}-12-31`, variant: 'calendar' },
    { value: ` ${base}`, what: 'a leading space', lenient: base, variant: 'blanks' },
    { value: `${base} `, what: 'a trailing space', lenient: base, variant: 'blanks' },
  ];
  const latest = (a: string, b: string) => (a > b ? a : b);
  return cases.map((c) => {
    // the day a lenient parser would read, kept on or after the valid one so the window holds
    const also = keepOrder(site, latest(c.lenient, base));
    const mut = w(c.value, `${path} = ${JSON.stringify(c.value)} (${c.what})`, 'format', {
      ...overlapOf(site, c.value),
      variant: c.variant,
    });
    for (const [p, v] of Object.entries(also)) (mut.value as Record<string, unknown>)[p] = v;
    return mut;
  });
}

/** Rules of the field (besides the format) a malformed value breaks anyway (a length limit, named). */
function overlapOf(site: MutationSite<'format'>, value: string): Pick<Mutation, 'overlaps'> {
  const also = site.brokenOwn(value);
  return also.length
    ? { overlaps: { ids: also.map((r) => r.id), why: `the malformed value is longer than ${also.map((r) => r.title).join('; ')}` } }
    : {};
}

const BAD: Record<Exclude<Format, 'date'>, { value: string; what: string }[]> = {
  monthYear: [
    { value: '13/2030', what: 'month 13' },
    { value: '00/2030', what: 'month 0' },
    { value: '1/2030', what: 'no zero padding' },
    { value: '2030-01', what: 'yyyy-MM' },
    { value: '01-2030', what: 'a dash for the slash' },
  ],
  url: [
    { value: 'not a url', what: 'not a URL' },
    { value: 'ftp://example.com/cb', what: 'an ftp URL' },
    { value: 'example.com/cb', what: 'no scheme' },
    { value: '//example.com/cb', what: 'scheme-relative' },
    { value: '/cb', what: 'a relative path' },
  ],
  hex32: [
    { value: '665597457B9B37CB000187A035002030', what: 'upper case' },
    { value: '665597457b9b37cb000187a03500203', what: '31 characters' },
    { value: '665597457b9b37cb000187a03500203g', what: 'a non-hex character' },
  ],
  digits: [
    { value: '12a4', what: 'a letter' },
    { value: ' 1234', what: 'a leading space' },
  ],
  decimal: [
    { value: '1,5', what: 'a decimal comma' },
    { value: '1.', what: 'no digits after the point' },
    { value: '.5', what: 'no digits before the point' },
  ],
};

export const format: CheckKind<'format'> = {
  kind: 'format',
  describe: 'the value has the named format',
  expected: ({ check, path }) => `${path} in the format ${FORMAT_SHAPES[check.format]}`,
  scope: 'value',
  holds: ({ check, value }) => {
    const s = textOf(value);
    return s === undefined ? { holds: 'n/a' } : of(FORMAT_TESTS[check.format](s));
  },
  edges({ check, path, g, siblings }): Edge[] {
    if (check.format !== 'date') return []; // the other formats have no edge beyond their lengths
    const leap = nextLeapDay(g.today);
    const dates = siblings.filter((r) => r.check.kind === 'format' && r.check.format === 'date').map((r) => [r.field, leap]);
    return [{ value: leap, note: `${path} on a leap day (${leap})`, also: Object.fromEntries(dates) }];
  },
  values: {
    rank: 30,
    arbitrary({ check, g }) {
      switch (check.format) {
        case 'date':
          return fc.integer({ min: 0, max: 3 * 366 }).map((n) => addDays(g.today, n));
        case 'monthYear':
          return fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 2025, max: 2040 })).map(([m, y]) => `${pad(m)}/${y}`);
        case 'url':
          return fc
            .tuple(fc.constantFrom('https', 'http'), fc.domain(), fc.stringMatching(/^[a-zA-Z0-9_-]{0,24}$/))
            .map(([s, d, p]) => `${s}://${d}/${p}`)
            .filter((u) => FORMAT_TESTS.url(u));
        case 'hex32':
          return fc.stringMatching(/^[0-9a-f]{32}$/);
        case 'digits':
          return fc.stringMatching(/^[0-9]{1,19}$/);
        case 'decimal':
          return fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 })).map(([i, c]) => `${i}.${pad(c)}`);
      }
    },
  },
  repair: null,
  mutators(site) {
    const { check, path, with: w } = site;
    if (check.format === 'date') return dateMutations(site);
    return BAD[check.format]
      .filter((b) => !FORMAT_TESTS[check.format](b.value))
      .map((b) =>
        w(b.value, `${path} = ${JSON.stringify(b.value)} (${b.what})`, 'format', { ...overlapOf(site, b.value), variant: b.what }),
      );
  },
};
