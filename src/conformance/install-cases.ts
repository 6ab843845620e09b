/**
 * The case lists the build keeps ready (bin/build.mjs), in its `cases/` folder (case-cache.ts):
 *
 * - on every build, the lists every run derives its property suites' rule lists from (case-lists.ts
 *   `ruleLists`): their inputs are fixed, so no run draws them again;
 * - on the install's build (`npm ci` runs `prepare`), also the lists of the README's first command,
 *   `npm run conformance`: every provider on the embedded mock, with the default seed, depth and schema
 *   mode, drawn for today in each provider's time zone and the mock's segment list. The first such run of
 *   the day reads them; any other run (another day, seed or depth, a sandbox) draws its own on its
 *   drawing thread while vitest starts (predraw.ts).
 *
 * A list kept already is not drawn again. Nothing is kept where lists are not kept (no build folder, or
 * CARD_CONFORMANCE_CASE_CACHE=off).
 */
import { mockSegments } from '../mock/alchemy.ts';
import { catalogue } from '../spec/catalogue.ts';
import { todayIn } from '../spec/evaluate.ts';
import { PROVIDERS, type Provider } from '../spec/registry.ts';
import { type CaseInputs, caseCacheDir, caseKey, isKept, keptList } from './case-cache.ts';
import { drawList, genOf, ruleLists, runLists } from './case-lists.ts';
import { defaultProfile } from './profile.ts';
import { readSettings } from './settings.ts';

/** The lists of a default `run --provider all` against the embedded mock, on the day `now` is in each provider's zone. */
export function defaultRunLists(now = new Date()): CaseInputs[] {
  const settings = { ...readSettings({}), profile: defaultProfile(false) };
  // what the session of such a run holds: each provider's today, the segment list the mock answers
  const session = {
    settings,
    today: Object.fromEntries(PROVIDERS.map((p) => [p, todayIn(catalogue().profiles[p].timeZone, now)])) as Record<Provider, string>,
    segments: mockSegments(catalogue()).map((s) => s.vid),
  };
  return runLists(settings, (provider) => genOf(session, provider));
}

/** Draws and keeps each list not kept yet; returns how many were drawn. */
export function keepLists(lists: readonly CaseInputs[]): number {
  if (!caseCacheDir()) return 0;
  let drawn = 0;
  for (const l of lists) {
    if (isKept(caseKey(l))) continue;
    keptList(l, () => drawList(l));
    drawn++;
  }
  return drawn;
}

/** Every build's step: the rule lists. */
export const keepRuleLists = (): number => keepLists(ruleLists());

/** The install's step: the rule lists and today's default run. */
export const keepInstallLists = (now = new Date()): number => keepLists([...ruleLists(), ...defaultRunLists(now)]);
