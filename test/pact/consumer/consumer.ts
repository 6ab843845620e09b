/** One consumer test per derived interaction: the typed client, plaintext codec, against Pact's mock server. */
import { PactV3, SpecificationVersion } from '@pact-foundation/pact';
import { describe, expect, it } from 'vitest';
import { envelopeOf } from '../../../src/conformance/judge.ts';
import { consumerName, pactOutputDir, providerName, sendPlaintext } from '../../../src/pact/consumer.ts';
import { OPEN_OPERATION } from '../../../src/pact/examples.ts';
import { deriveInteractions } from '../../../src/pact/interactions.ts';
import type { Provider } from '../../../src/spec/registry.ts';

export function consumerPact(provider: Provider): void {
  const interactions = deriveInteractions(provider);
  const pact = new PactV3({
    consumer: consumerName(),
    provider: providerName(provider),
    dir: pactOutputDir(),
    spec: SpecificationVersion.SPECIFICATION_VERSION_V4,
    logLevel: 'error',
  });
  describe(`${provider} consumer pact`, () => {
    it('derives interactions for every family (positive case: there are some, each naming rule ids)', () => {
      expect(interactions.length).toBeGreaterThan(5);
      for (const i of interactions) expect(i.ruleIds.length, i.description).toBeGreaterThan(0);
    });
    for (const i of interactions) {
      it(i.description.replace(/ \[.*$/, ''), async () => {
        for (const s of i.states) pact.given(s.name, s.params);
        pact
          .uponReceiving(i.description)
          .withRequest({
            method: i.request.method,
            path: i.request.path,
            headers: i.request.headers as never,
            ...(i.request.body === undefined ? {} : { body: i.request.body }),
          })
          .willRespondWith({ status: i.response.status, body: i.response.body });
        await pact.executeTest(async (server) => {
          const r = await sendPlaintext(i, server.url);
          expect(r.problem).toBeUndefined();
          expect(r.status).toBe(i.response.status);
          // the client reads the answer the pact promises as the interaction means it
          const expected = (i.response.body as Record<string, unknown>)['success'] === true;
          if (i.operation === OPEN_OPERATION[provider]) expect(envelopeOf(provider, i.operation).read(r).succeeded).toBe(expected);
          else expect((r.body as Record<string, unknown>)['success']).toBe(expected);
        });
      });
    }
  });
}
