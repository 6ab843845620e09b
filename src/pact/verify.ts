/**
 * Pact verification through the codec proxy: the real Pact verifier (pact-core's native one, driven by
 * `@pact-foundation/pact`'s Verifier for its provider-state handlers) replays each interaction of the
 * pact files against the proxy, which signs or seals it for the target. An interaction whose provider
 * state this target cannot be put in is not replayed: it is `skipped`, with the reason.
 *
 * Each interaction's result is turned into verdicts per rule id: the ids its description names, a
 * mismatch blamed on the rules of the field it is at (a missing field on its presence rules, a wrong type
 * on its type rule, a wrong value on its value rules; a wrong success flag or refusal code on the rule the
 * interaction is about), the other named rules passed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VerifierOptions } from '@pact-foundation/pact';
import { type Catalogue, type Rule, catalogue as shipped } from '../spec/catalogue.ts';
import { relativePath } from '../spec/evaluate.ts';
import type { Provider } from '../spec/registry.ts';
import { idsOfDescription } from './interactions.ts';
import { type StateContext, stateHandlers, unsettable } from './states.ts';

export interface Mismatch {
  path: string;
  message: string;
  actual?: string;
  expected?: string;
  type?: string;
}

export interface InteractionResult {
  provider: Provider;
  description: string;
  ruleIds: string[];
  verdict: 'pass' | 'fail' | 'skipped' | 'error';
  reason?: string;
  mismatches: Mismatch[];
  /** The named rules a mismatch was blamed on. */
  failed: string[];
  /** The provider states of a skipped interaction (what it would have needed). */
  states?: string[];
  /** Decided by sending its plain request (plain.ts), not through the Pact verifier: an accepted apply of its own. */
  plain?: true;
}

interface PactFile {
  consumer: { name: string };
  provider: { name: string };
  interactions: Array<{ description: string; providerStates?: Array<{ name: string }> }>;
  [k: string]: unknown;
}

export const readPact = (path: string): PactFile => JSON.parse(readFileSync(path, 'utf8')) as PactFile;

export interface VerifyOptions {
  provider: Provider;
  pactFiles: string[];
  /** The codec proxy in front of the target. */
  proxyUrl: string;
  states: StateContext;
  embedded: boolean;
  cat?: Catalogue;
}

/** Variables that make pact-core fetch from, or publish to, a broker on its own: publishing is ours. */
const BROKER_VARIABLES = ['PACT_BROKER_BASE_URL', 'PACT_BROKER_PUBLISH_VERIFICATION_RESULTS', 'PACT_BROKER_TOKEN'];

export async function verifyPacts(o: VerifyOptions): Promise<InteractionResult[]> {
  const cat = o.cat ?? shipped();
  const results: InteractionResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'card-conformance-pacts-'));
  const saved = Object.fromEntries(BROKER_VARIABLES.map((k) => [k, process.env[k]]));
  try {
    const files: string[] = [];
    const toRun: Array<{ description: string; ruleIds: string[] }> = [];
    for (const [i, file] of o.pactFiles.entries()) {
      const pact = readPact(file);
      const keep: PactFile['interactions'] = [];
      for (const it of pact.interactions) {
        const ruleIds = idsOfDescription(it.description).filter((id) => cat.byId.has(id));
        const why = (it.providerStates ?? []).map((s) => unsettable(s.name, o.states, o.embedded)).find(Boolean);
        if (why)
          results.push({
            provider: o.provider,
            description: it.description,
            ruleIds,
            verdict: 'skipped',
            reason: why,
            mismatches: [],
            failed: [],
            states: (it.providerStates ?? []).map((s) => s.name),
          });
        else {
          keep.push(it);
          toRun.push({ description: it.description, ruleIds });
        }
      }
      if (keep.length === 0) continue;
      const path = join(dir, `pact-${i}.json`);
      writeFileSync(path, JSON.stringify({ ...pact, interactions: keep }));
      files.push(path);
    }
    if (files.length === 0) return results;
    for (const k of BROKER_VARIABLES) delete process.env[k];
    let raw: string;
    // loaded here, not with the CLI: Pact's native core costs every other command a second of start-up
    const { Verifier } = await import('@pact-foundation/pact');
    try {
      raw = String(
        await new Verifier({
          providerBaseUrl: o.proxyUrl,
          pactUrls: files,
          logLevel: 'error',
          stateHandlers: stateHandlers(o.states, o.embedded) as VerifierOptions['stateHandlers'],
        }).verifyProvider(),
      );
    } catch (err) {
      raw = err instanceof Error ? err.message : String(err);
    }
    let out: VerifierJson | undefined;
    try {
      out = JSON.parse(raw) as VerifierJson;
    } catch {
      out = undefined;
    }
    for (const t of toRun) {
      if (!out) {
        results.push({
          provider: o.provider,
          ...t,
          verdict: 'error',
          reason: `the Pact verifier did not run: ${raw.split('\n')[0]}`,
          mismatches: [],
          failed: [],
        });
        continue;
      }
      const result = out.interactionResults?.find((r) => r.description === t.description);
      const errors = (out.errors ?? []).filter((e) => e.interaction.endsWith(` - ${t.description}`));
      if (errors.length === 0 && result?.result !== 'Error') {
        results.push({
          provider: o.provider,
          ...t,
          verdict: result ? 'pass' : 'error',
          ...(result ? {} : { reason: 'the verifier reported nothing for it' }),
          mismatches: [],
          failed: [],
        });
        continue;
      }
      const mismatches: Mismatch[] = errors.flatMap((e) =>
        e.mismatch.mismatches?.length
          ? e.mismatch.mismatches.map((m) => ({
              path: m.path ?? '',
              message: m.mismatch ?? m.type ?? 'mismatch',
              ...(m.actual !== undefined ? { actual: m.actual } : {}),
              ...(m.expected !== undefined ? { expected: m.expected } : {}),
              ...(m.type ? { type: m.type } : {}),
            }))
          : [{ path: '', message: e.mismatch.message ?? e.mismatch.type ?? 'failed', type: e.mismatch.type ?? 'error' }],
      );
      const failed = blame(t.ruleIds, mismatches, cat);
      results.push({ provider: o.provider, ...t, verdict: 'fail', mismatches, failed });
    }
    return results;
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
    rmSync(dir, { recursive: true, force: true });
  }
}

interface VerifierJson {
  result?: boolean;
  interactionResults?: Array<{ description: string; result: string }>;
  errors?: Array<{
    interaction: string;
    mismatch: {
      type?: string;
      message?: string;
      mismatches?: Array<{ path?: string; mismatch?: string; actual?: string; expected?: string; type?: string }>;
    };
  }>;
}

const PRESENCE = new Set(['required', 'requiredWhen']);
const VALUE = new Set([
  'pattern',
  'format',
  'enum',
  'maxLength',
  'successCode',
  'oppositeFlags',
  'echo',
  'codeInCatalogue',
  'codeMatchesRule',
]);

const jsonType = (text: string | undefined): string | undefined => {
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
  } catch {
    return undefined;
  }
};

/** The named rules the mismatches are blamed on (see the module comment). */
export function blame(ruleIds: readonly string[], mismatches: readonly Mismatch[], cat: Catalogue = shipped()): string[] {
  const rules = ruleIds.map((id) => cat.byId.get(id)).filter((r): r is Rule => r !== undefined);
  const responseAt = (path: string) => rules.filter((r) => r.side === 'response' && r.field !== 'response' && relativePath(r) === path);
  // the rules the interaction is about: its request rule, behaviour or valid-request rule
  const scenario = rules.filter((r) => r.side !== 'response');
  const failed = new Set<string>();
  const add = (rs: readonly Rule[]) => {
    for (const r of rs) failed.add(r.id);
    return rs.length > 0;
  };
  // a success flag the other way round (a valid request refused, a broken one accepted) is the
  // interaction's own rule failing; the rest of the envelope (code, error flag, result) only follows it
  const flipped = mismatches.some((m) => m.path === '$.success' && jsonType(m.actual) === 'boolean' && jsonType(m.expected) === 'boolean');
  if (flipped) {
    add(scenario) || add(rules);
    return [...failed];
  }
  for (const m of mismatches) {
    if (m.type && m.type !== 'BodyMismatch') {
      // the status, a header, or a body that is not the envelope
      add(rules.filter((r) => r.check.kind === 'jsonObject' && r.side === 'response')) || add(scenario) || add(rules);
      continue;
    }
    const path = m.path.replace(/^\$\.?/, '');
    const missing = /missing the following keys?: (.+)$/.exec(m.message);
    if (missing) {
      const keys = missing[1]!.split(',').map((k) => k.trim());
      const hit = keys.flatMap((k) => responseAt(path ? `${path}.${k}` : k).filter((r) => PRESENCE.has(r.check.kind)));
      add(hit) || add(scenario) || add(rules);
      continue;
    }
    const here = responseAt(path);
    const typeMismatch =
      jsonType(m.actual) !== undefined && jsonType(m.expected) !== undefined && jsonType(m.actual) !== jsonType(m.expected);
    let hit: Rule[];
    const wrongType = typeMismatch || /to be the same type as|to be an integer|to be a decimal|to be a boolean/.test(m.message);
    if (wrongType) hit = here.filter((r) => r.check.kind === 'type');
    else {
      const codes = new Set(rules[0] ? cat.profiles[rules[0].provider].codes.map((c) => c.code) : []);
      let actual: unknown = m.actual;
      try {
        actual = m.actual === undefined ? undefined : JSON.parse(m.actual);
      } catch {}
      hit = here.filter(
        (r) =>
          VALUE.has(r.check.kind) &&
          // a refusal's code set (a regex) says nothing of "0 exactly when success"
          !(r.check.kind === 'successCode' && /to match/.test(m.message)) &&
          !(r.check.kind === 'codeInCatalogue' && codes.has(String(actual))) &&
          !(r.check.kind === 'codeMatchesRule' && !codes.has(String(actual))),
      );
    }
    // the success flag or the refusal code is what the interaction's own rule is judged by
    const envelope =
      !wrongType && (here.some((r) => r.check.kind === 'codeInCatalogue' || r.check.kind === 'successCode') || path === 'success');
    const own = envelope ? scenario.filter((r) => path === 'success' || Object.keys(r.codes).length > 0) : [];
    if (!add([...hit, ...own])) add(here) || add(scenario) || add(rules);
  }
  return [...failed];
}
