/**
 * `npm run pact:consumer` writes the committed files: run it into a temporary folder and compare, byte
 * for byte. A catalogue change without regenerated pacts (or a hand edit of a pact) fails here.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACT_DIR } from '../../src/pact/consumer.ts';
import { npmRun } from '../helpers/cli.ts';

describe('npm run pact:consumer', () => {
  it('writes exactly the committed pacts and vocabulary (regenerate with npm run pact:consumer)', async () => {
    const consume = () => {
      const dir = mkdtempSync(join(tmpdir(), 'cc-pacts-'));
      return npmRun(['pact:consumer'], { PACT_OUTPUT_DIR: dir, PACT_DO_NOT_TRACK: 'true' }, 180_000).then((r) => ({ ...r, dir }));
    };
    let r = await consume();
    // Once, under a loaded CI run, Pact's mock server reported a request "expected but not received" that
    // the client had sent (not reproduced in 10 runs, loaded or not): the consumer run is repeated once, into
    // a fresh folder, for that report alone. The comparison below is never repeated.
    if (r.code !== 0 && /expected but not received/.test(r.stdout + r.stderr)) r = await consume();
    const out = r.dir;
    expect(r.code, r.stdout.slice(-2000) + r.stderr.slice(-2000)).toBe(0);
    const made = readdirSync(out).sort();
    const committed = readdirSync(PACT_DIR).sort();
    // positive case first: it made the three files, each with content
    expect(made).toHaveLength(3);
    expect(made).toEqual(committed);
    for (const f of made) {
      const fresh = readFileSync(join(out, f), 'utf8');
      expect(fresh.length).toBeGreaterThan(1000);
      expect(fresh, `${f} drifted: run npm run pact:consumer and commit contracts/pacts`).toBe(readFileSync(join(PACT_DIR, f), 'utf8'));
    }
  });
});
