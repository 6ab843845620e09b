/**
 * vitest global setup of the conformance suites: opens the session (targets, embedded mock when no
 * base URL is configured, callback receiver, positive control) and provides it to every suite file.
 * The same for `card-conformance run` and a plain `npx vitest`.
 */
import type { TestProject } from 'vitest/node';
import { openSelfcheck, SELFCHECK_VARIABLE, type SelfcheckPlan } from '../src/conformance/selfcheck.ts';
import { openSession, publishSessionSummary, takeEarlySession } from '../src/conformance/session.ts';
import { mark } from '../src/conformance/timings.ts';

export default async function setup(project: TestProject) {
  mark('setup-start');
  const plan = process.env[SELFCHECK_VARIABLE];
  if (plan) {
    // a selfcheck: every target opened here, provided to every suite file
    const sc = await openSelfcheck(JSON.parse(plan) as SelfcheckPlan, process.env);
    project.provide('conformance', sc.targets[0]!.session);
    project.provide('selfcheck', sc.targets);
    return sc.close;
  }
  // `run` may have opened it already, while vitest started (openSessionEarly)
  const { shared, summary, close } = await (takeEarlySession() ?? openSession(process.env));
  project.provide('conformance', shared);
  // for the run's reporter, in this same process: no secret in it
  publishSessionSummary(structuredClone(summary));
  mark('setup-end');
  return close;
}
