/**
 * Publishing to a broker, for shape only, against a fake broker on 127.0.0.1: the pact, then the
 * verification (never a success with skipped interactions), then the sandbox deployment; and the
 * provider version names the target and the document version.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { providerVersion, publish, specVersion } from '../../src/pact/broker.ts';
import type { InteractionResult } from '../../src/pact/verify.ts';
import { startFakeBroker } from './fake-broker.ts';

const brokers: Array<{ close: () => Promise<void> }> = [];
afterAll(async () => {
  for (const b of brokers) await b.close();
});
const result = (verdict: InteractionResult['verdict']): InteractionResult => ({
  provider: 'gep',
  description: `gep apply: something [gep.apply.request.acceptsValid]`,
  ruleIds: ['gep.apply.request.acceptsValid'],
  verdict,
  mismatches: verdict === 'fail' ? [{ path: '$.success', message: 'Expected false to be equal to true' }] : [],
  failed: [],
});
const PACT = { consumer: 'card-conformance', provider: 'gep-virtual-card-vas-api', content: '{"interactions":[]}' };

async function publishWith(results: InteractionResult[], recordDeployment = true) {
  const broker = await startFakeBroker({ environments: [{ name: 'sandbox', uuid: 'u-1' }] });
  brokers.push(broker);
  const lines: string[] = [];
  await publish({
    brokerUrl: broker.url,
    token: 'tok',
    pacts: [PACT],
    providerVersion: 'gep-sandbox+abc.20250101',
    results,
    recordDeployment,
    out: (l) => lines.push(l),
  });
  return { seen: broker.seen, lines };
}

describe('broker publishing', () => {
  it('all passed: the pact (base64), the verification as a success, the deployment to sandbox', async () => {
    const { seen } = await publishWith([result('pass')]);
    expect(seen.map((s) => s.method)).toEqual(['POST', 'GET', 'POST', 'GET', 'POST']);
    const contracts = seen[0]!.body as { pacticipantName: string; contracts: Array<{ content: string; providerName: string }> };
    expect(contracts.pacticipantName).toBe('card-conformance');
    expect(Buffer.from(contracts.contracts[0]!.content, 'base64').toString()).toBe(PACT.content);
    expect(seen[2]!.body).toMatchObject({ success: true, providerApplicationVersion: 'gep-sandbox+abc.20250101' });
    expect(seen[4]!.path).toBe(
      '/pacticipants/gep-virtual-card-vas-api/versions/gep-sandbox%2Babc.20250101/deployed-versions/environment/u-1',
    );
  });

  it('a failure is published as a failure; skipped interactions are never published as a success (not at all)', async () => {
    const failed = await publishWith([result('pass'), result('fail')], false);
    expect((failed.seen.find((s) => s.path.endsWith('/verification-results'))!.body as { success: boolean }).success).toBe(false);
    const skipped = await publishWith([result('pass'), result('skipped')], false);
    expect(skipped.seen.some((s) => s.path.endsWith('/verification-results'))).toBe(false);
    expect(skipped.lines.join('')).toContain('verification not published: 1 interactions were skipped');
  });

  it('the provider version names the target and the document version, never this tool; PACT_PROVIDER_VERSION overrides it', () => {
    const day = new Date('2025-03-01T10:00:00Z');
    expect(providerVersion('alchemy', 'https://sbx-card-api.alchemypay.org', day, {})).toBe(
      `alchemy-sandbox+${specVersion('alchemy')}.20250301`,
    );
    expect(providerVersion('gep', undefined, day, {})).toBe(`gep-embedded-mock+${specVersion('gep')}.20250301`);
    expect(providerVersion('gep', 'https://x.test', day, { PACT_PROVIDER_VERSION: 'v9' })).toBe('v9');
    expect(specVersion('alchemy')).not.toBe(specVersion('gep'));
  });
});
