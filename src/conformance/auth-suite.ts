/**
 * The authentication suite of a provider: a correctly signed or sealed request first (it must be accepted,
 * or no refusal proves anything), then each probe of `auth-probes.ts` on a fresh valid request of its own.
 * A probe passes its rule only when the provider refuses it in its envelope; accepted, or answered outside
 * the envelope, it fails. The report lists the classes tried per rule.
 */
import type { CallResult } from '../client/types.ts';
import type { Provider } from '../spec/registry.ts';
import { type AuthProbe, alchemyAuthProbes, authRule, gepAuthProbes } from './auth-probes.ts';
import { attempt, conformance, type Harness } from './harness.ts';
import { envelopeOf } from './judge.ts';
import { validRequests } from './properties.ts';

const OPERATION: Record<Provider, string> = { alchemy: 'create', gep: 'apply' };

/** The rules the provider's probes decide, in the order they are first probed. */
export function authRules(provider: Provider): string[] {
  const probes: AuthProbe<unknown>[] = provider === 'alchemy' ? alchemyAuthProbes({}) : gepAuthProbes();
  return [...new Set(probes.map((p) => authRule(provider, p.behaviour)))];
}

const send = (h: Harness, provider: Provider, body: Record<string, unknown>, probe?: AuthProbe<unknown>): Promise<CallResult> =>
  provider === 'alchemy'
    ? h.alchemy!.create(body, (probe?.options ?? {}) as Parameters<NonNullable<Harness['alchemy']>['create']>[1])
    : h.gep!.apply(body, (probe?.options ?? {}) as Parameters<NonNullable<Harness['gep']>['apply']>[1]);

export function authentication(provider: Provider, name: string) {
  const rules = authRules(provider);
  const env = envelopeOf(provider, OPERATION[provider]);
  conformance(provider, name, rules, async (f, h) => {
    const probeCount = provider === 'alchemy' ? alchemyAuthProbes({}).length : gepAuthProbes().length;
    const [good, ...bodies] = validRequests(h, provider, OPERATION[provider], probeCount + 1, 303);
    const control = await attempt(() => send(h, provider, good!), h);
    if ('error' in control || !env.read(control).accepted) {
      for (const id of rules)
        f.error(
          id,
          `a correctly ${provider === 'alchemy' ? 'signed' : 'sealed'} request was not accepted, so a refusal would prove nothing`,
        );
      return 1;
    }
    // every probe on a request of its own, made for that request (the one that signs another body needs it)
    const probesFor = (body: Record<string, unknown>): AuthProbe<unknown>[] =>
      provider === 'alchemy' ? alchemyAuthProbes(body) : gepAuthProbes();
    for (let i = 0; i < probeCount; i++) {
      const body = bodies[i]!;
      const probe = probesFor(body)[i]!;
      const rule = authRule(provider, probe.behaviour);
      const r = await attempt(() => send(h, provider, body, probe), h);
      if ('error' in r) {
        f.error(rule, `${probe.what}: ${r.error}`);
        continue;
      }
      f.tried(rule, probe.cls);
      const e = env.read(r);
      if (e.ok && !e.accepted) f.pass(rule);
      else
        f.fail(
          rule,
          h.evidence(r, `${probe.what}: ${e.accepted ? 'accepted' : 'not refused in the envelope'}`, {
            note: `authentication probe ${probe.cls}`,
            rule,
            expected: "a refusal in the provider's envelope: the request is not the merchant's own",
          }),
        );
    }
    return probeCount + 1;
  });
}
