/** The real `xmllint` (Debian libxml2-utils), when it is on PATH; tests that need it are skipped, saying so, when not. */
import { spawnSync } from 'node:child_process';

export const JUNIT_XSD = new URL('../fixtures/junit/junit-10.xsd', import.meta.url).pathname;

export const HAS_XMLLINT = spawnSync('xmllint', ['--version'], { stdio: 'ignore' }).status === 0;

/** Appended to a test's name, so a run without xmllint shows why the test was skipped. */
export const XMLLINT_MISSING = HAS_XMLLINT ? '' : ' [skipped: xmllint is not on PATH; install Debian libxml2-utils (.ci/run does)]';

/** `xmllint --noout --schema <JUnit XSD> <file>`: exit status and what it printed. */
export function validateJunit(file: string): { status: number | null; output: string } {
  const r = spawnSync('xmllint', ['--noout', '--schema', JUNIT_XSD, file], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** `xmllint --xpath <expr> <file>`: the string value (for attribute and text values after XML unescaping). */
export function xpath(file: string, expr: string): string {
  const r = spawnSync('xmllint', ['--xpath', expr, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`xmllint --xpath ${expr}: ${r.stderr}`);
  return r.stdout.replace(/\n$/, '');
}
