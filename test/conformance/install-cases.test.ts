/**
 * The case lists a build keeps ready (src/conformance/install-cases.ts): each list drawn once and kept
 * as a fresh draw gives it; nothing kept where lists are not kept. That the install's lists are the very
 * ones a default run asks for is a whole run's test (test/run/install-cases.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { CASE_CACHE_VARIABLE, cachedCases } from '../../src/conformance/case-cache.ts';
import { drawList, ruleLists } from '../../src/conformance/case-lists.ts';
import { defaultRunLists, keepLists, keepRuleLists } from '../../src/conformance/install-cases.ts';
import { DEFAULT_RUNS, DEFAULT_SEED } from '../../src/conformance/settings.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { useCaseCacheFolders } from '../helpers/case-cache.ts';

const { kept } = useCaseCacheFolders();

describe('the lists a build keeps', () => {
  it('draws each rule list once and keeps it as a fresh draw gives it', () => {
    expect(keepRuleLists()).toBe(ruleLists().length);
    expect(kept()).toHaveLength(ruleLists().length);
    expect(keepRuleLists()).toBe(0);
    for (const l of ruleLists())
      expect(
        cachedCases(l, () => {
          throw new Error('drawn again');
        }),
      ).toEqual(drawList(l));
  });

  it("names today's default run: every provider, the default seed and depth, today in each provider's zone, the mock's segment", () => {
    const lists = defaultRunLists(new Date('2026-11-29T20:00:00Z'));
    const cases = lists.filter((l) => l.seed === DEFAULT_SEED);
    expect(new Set(cases.map((l) => l.provider))).toEqual(new Set(['alchemy', 'gep']));
    expect(cases.filter((l) => l.kind === 'valid').map((l) => l.n)).toEqual([DEFAULT_RUNS, DEFAULT_RUNS]);
    // 20:00 UTC is already the next day east of UTC+4: each provider's own "today"
    for (const l of cases) {
      const zone = catalogue().profiles[l.provider].timeZone;
      const offsetHours = Number(
        /([+-]\d{2})/.exec(new Intl.DateTimeFormat('en', { timeZone: zone, timeZoneName: 'longOffset' }).format(0))?.[1] ?? 0,
      );
      expect(l.g.today, `${l.provider} (${zone})`).toBe(offsetHours >= 4 ? '2026-11-30' : '2026-11-29');
      // the mock's one segment: the profile's fallback vid (what its segment list answers)
      expect(l.g.knownValues?.['segmentList']).toEqual([String(catalogue().profiles.alchemy.wire['fallbackVid'])]);
    }
  });

  it('keeps nothing where lists are not kept', () => {
    process.env[CASE_CACHE_VARIABLE] = 'off';
    expect(keepRuleLists()).toBe(0);
    expect(keepLists(defaultRunLists())).toBe(0);
    expect(kept()).toEqual([]);
  });
});
