/**
 * The run's drawing thread (src/conformance/predraw.ts): a property test's lists handed over from it,
 * equal to a fresh draw; a list it was not given, a thread that failed, a run closed, and `off` each
 * leave the worker to draw for itself, never to wait for ever. The thread here is the sources' own
 * (through tsx); a run on the CLI's build starts the build's (test/run/determinism.test.ts).
 */
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CASE_CACHE_VARIABLE, type CaseInputs, cachedCases, received } from '../../src/conformance/case-cache.ts';
import { drawList } from '../../src/conformance/case-lists.ts';
import { BUILD_VARIABLE } from '../../src/conformance/from-build.ts';
import { openPredraw, PREDRAW_VARIABLE, type Predraw, type PredrawThread, predrawn } from '../../src/conformance/predraw.ts';
import { caseInputs } from '../helpers/case-cache.ts';

const list = caseInputs;

/** The thread's module from the sources: tsx registered in the thread first. */
const SOURCES: PredrawThread = {
  eval: `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(pathToFileURL(`${process.cwd()}/src/conformance/predraw-thread.ts`).href)}); })`,
};

/** No build and no kept lists: everything a worker gets comes from the thread (or from its own draw). */
const envOf = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env[BUILD_VARIABLE];
  delete env[CASE_CACHE_VARIABLE];
  delete env[PREDRAW_VARIABLE];
  return env;
};

/** `cachedCases` with a draw that counts its calls (the worker's own draw). */
const taken = (inputs: CaseInputs) => {
  let calls = 0;
  const cases = cachedCases(inputs, () => {
    calls++;
    return drawList(inputs);
  });
  return { cases, drawnHere: calls };
};

let open: Predraw | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
  received.clear();
});

describe('the drawing thread', () => {
  it('hands a property test its lists, equal to a fresh draw, and the worker draws nothing', async () => {
    const env = envOf();
    open = openPredraw(env, SOURCES)!;
    expect(env[PREDRAW_VARIABLE]).toMatch(/^card-conformance:cases:/);
    const lists = [list(), list({ kind: 'invalid', provider: 'alchemy', operation: 'create', n: 2 })];
    open.start(lists);
    await predrawn(lists, env);
    for (const l of lists) {
      const t = taken(l);
      expect(t.drawnHere).toBe(0);
      expect(t.cases.length).toBeGreaterThan(10);
      expect(t.cases).toEqual(drawList(l));
    }
  });

  it('is heard by a worker that asked before the thread listened (the thread says it listens, the worker asks again)', async () => {
    const env = envOf();
    open = openPredraw(env, SOURCES)!;
    const l = list({ seed: 8 });
    const waiting = predrawn([l], env);
    open.start([l]);
    await waiting;
    expect(taken(l).drawnHere).toBe(0);
  });

  it('answers a list it was not given "not drawn here": the worker draws it', async () => {
    const env = envOf();
    open = openPredraw(env, SOURCES)!;
    open.start([list()]);
    const other = list({ seed: 9 });
    await predrawn([other], env);
    const t = taken(other);
    expect(t.drawnHere).toBe(1);
    expect(t.cases).toEqual(drawList(other));
  });

  it('once failed, leaves every worker to draw for itself, those waiting and those that ask later', async () => {
    const env = envOf();
    open = openPredraw(env, { eval: 'throw new Error("the drawing thread fails")' })!;
    const l = list();
    const waiting = predrawn([l], env);
    open.start([l]);
    await waiting;
    await predrawn([list({ seed: 10 })], env);
    expect(taken(l).drawnHere).toBe(1);
  });

  it('once closed, is no longer named: nothing waits', async () => {
    const env = envOf();
    const p = openPredraw(env, SOURCES)!;
    await p.close();
    expect(env[PREDRAW_VARIABLE]).toBeUndefined();
    await predrawn([list()], env);
    expect(taken(list()).drawnHere).toBe(1);
  });

  it('is not started with CARD_CONFORMANCE_PREDRAW=off, nor without a build to start it from', async () => {
    const env = { ...envOf(), [PREDRAW_VARIABLE]: 'off' };
    expect(openPredraw(env, SOURCES)).toBeUndefined();
    await predrawn([list()], env);
    expect(openPredraw(envOf())).toBeUndefined();
  });

  it('is not waited for when the variable names no channel a run opened (a value set by hand)', async () => {
    await predrawn([list()], { ...envOf(), [PREDRAW_VARIABLE]: 'on' });
    expect(taken(list()).drawnHere).toBe(1);
  });
});
