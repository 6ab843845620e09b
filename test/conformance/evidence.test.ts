/**
 * Evidence of one exchange, built from real calls to the embedded mock over loopback: the plaintext
 * payloads redacted by field, the provider's identifiers, the Alchemy reproduction whose signature is
 * hidden (with the call line that signs again), the GEP reproduction kept whole only where its sealed
 * plaintext holds nothing to hide, and the judge's messages that name the field without its secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/checks/util.ts';
import { createAlchemyClient } from '../../src/client/alchemy.ts';
import { createGepClient } from '../../src/client/gep.ts';
import type { CallResult } from '../../src/client/types.ts';
import { evidenceOf } from '../../src/conformance/evidence.ts';
import { Findings } from '../../src/conformance/findings.ts';
import { judgeAnswer } from '../../src/conformance/judge.ts';
import { type RunningMock, startMock } from '../../src/mock/server.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { todayIn } from '../../src/spec/evaluate.ts';
import { luhnValid, maskPan } from '../../src/wire/luhn.ts';
import { createRedactor } from '../../src/wire/redact.ts';
import { examples } from '../helpers/fixtures.ts';
import { testTransport } from '../helpers/transport.ts';

const transport = testTransport();
let mock: RunningMock;
beforeAll(async () => {
  mock = await startMock({ timeScale: 0.002 });
});
afterAll(async () => {
  await mock.close();
  await transport.close();
});

const alchemy = () => createAlchemyClient({ baseUrl: mock.url, ...mock.client.alchemy }, { transport, retries: 0 });
const gep = () => createGepClient({ baseUrl: mock.url, ...mock.client.gep! }, { transport, retries: 0 });
const redactor = () =>
  createRedactor({ secrets: [mock.client.alchemy.secretKey], keep: [mock.client.gep!.userNo, mock.client.gep!.certificateId] });

/** A start date tomorrow and an end date a year on, in GEP's zone: the example's own dates are past. */
const dates = () => {
  const today = todayIn(catalogue().profiles.gep.timeZone, new Date());
  return { startDate: addDays(today, 1), endDate: addDays(today, 400) };
};

/** The argument of `--data` in a call line, parsed back. */
const dataOf = (call: string) => JSON.parse(/--data '(.*)'$/.exec(call)![1]!.replace(/'\\''/g, "'")) as unknown;

describe('evidence of one exchange', () => {
  it('Alchemy: plaintext both ways, ids, a curl with the signature hidden and a call line that signs again', async () => {
    const body = { ...examples.alchemyCreateRequest(), orderNo: 'ev_alchemy_1', vid: 'USD' };
    const r = await alchemy().create(body);
    expect((r.body as Record<string, unknown>)['success']).toBe(true);
    const e = evidenceOf(r, 'm', { rule: 'x', expected: 'y', seed: 3 }, { redactor: redactor() });
    expect(e.sent).toEqual(body);
    expect(e.received).toEqual(redactor().value(r.body));
    expect(e.ids).toEqual({ traceId: (r.body as Record<string, string>)['traceId'], orderNo: 'ev_alchemy_1' });
    expect(e.status).toBe(200);
    expect(Date.parse(e.at!)).toBeLessThanOrEqual(Date.now());
    expect(e.target).toBe(mock.url);
    expect(e.document).toMatch(new RegExp(`^${catalogue().operation('alchemy', 'create').spec.document} \\(rules [0-9a-f]{8}\\)$`));
    expect(e.reproduction).toContain("-H 'ach-access-sign: [REDACTED]'");
    expect(e.reproduction).not.toContain(mock.client.alchemy.secretKey);
    expect(e.reproductionNote).toContain('card-conformance call alchemy create');
    expect(e.reproductionNote).toMatch(/signs the same body again/);
    expect(dataOf(e.call!)).toEqual(body);
    expect(e).toMatchObject({ rule: 'x', expected: 'y', seed: 3, message: 'm' });
  });

  it('GEP: the sealed request whole in the curl, the merchant number not taken for a card, the result opened', async () => {
    // the document's cardUserId: 19 digits that pass Luhn, masked in `sent` as a card would be, yet no
    // secret: the sealed bytes stay whole so that the curl replays
    const example = examples.gepApplyRequest();
    const cardUserId = String(example['cardUserId']);
    expect(luhnValid(cardUserId)).toBe(true);
    const body = { ...example, ...dates(), userReqNo: 'ev-gep-1' };
    const r = await gep().apply(body);
    const e = evidenceOf(r, 'm', {}, { redactor: redactor() });
    const form = new URLSearchParams(r.request.wireBody);
    expect(e.reproduction).toContain(`dataContent=${form.get('dataContent')}`);
    expect(e.reproduction).toContain(`userNo=${mock.client.gep!.userNo}`);
    expect(e.reproductionNote).toMatch(/replays the sealed bytes/);
    expect(e.sent).toEqual({ ...body, cardUserId: maskPan(cardUserId) });
    const result = (e.received as { result: Record<string, unknown> }).result;
    expect(typeof result).toBe('object');
    expect(['', '[REDACTED]']).toContain(result['cardVerifyNo']);
    expect(String(result['cardId'])).toMatch(/\S/);
    expect(e.ids).toMatchObject({ userReqNo: 'ev-gep-1' });
  });

  it('GEP: a sealed plaintext holding a value that is hidden is shortened in the curl, not shown whole', async () => {
    const body = { ...examples.gepApplyRequest(), ...dates(), userReqNo: 'ev-gep-2', cvv2: '123' };
    const r = await gep().apply(body);
    const e = evidenceOf(r, 'm', {}, { redactor: redactor() });
    expect(e.sent).toMatchObject({ cvv2: '[REDACTED]' });
    expect(e.reproduction).toMatch(/dataContent=[0-9a-f]{16}…\(\d+ chars\)/);
    expect(e.reproductionNote).toMatch(/shortened/);
  });

  it('bytes the test made itself: sent shows the wire text, and there is no call line', async () => {
    const r = await gep().apply({ userReqNo: 'x' }, { rawDataContent: 'ab'.repeat(100) });
    const e = evidenceOf(r, 'm', {}, { redactor: redactor() });
    expect(e.sent).toMatch(/^version=/);
    expect(e.call).toBeUndefined();
    expect(e.reproductionNote).toMatch(/made by the test itself/);
  });

  it('a judge names the offending field and what was expected, and hides a CVV it quotes', async () => {
    const body = { ...examples.gepApplyRequest(), ...dates(), userReqNo: 'ev-gep-3' };
    const r = await gep().apply(body);
    const result = (r.body as { result: Record<string, unknown> }).result;
    // an answer whose CVV has the wrong type, and whose expiry is not the requested endDate's
    const broken: CallResult = {
      ...r,
      body: { ...(r.body as object), result: { ...result, cardVerifyNo: 987, cardExpiryDate: '13/2099' } },
    };
    const f = new Findings();
    const made: { message: string; parts: unknown }[] = [];
    judgeAnswer('gep', 'apply', broken, body, f, {
      mode: 'strict',
      evidence: (res, message, parts) => {
        made.push({ message, parts });
        return evidenceOf(res, message, parts ?? {}, { redactor: redactor() });
      },
      redactor: redactor(),
    });
    const failed = f.list().filter((x) => x.verdict === 'fail');
    const expiry = failed.find((x) => x.ruleId.endsWith('cardExpiryDate.matchesEndDate'))!;
    const endDate = String(body['endDate']);
    expect(expiry.evidence[0]!.expected).toBe(
      `result.cardExpiryDate MM/yyyy of endDate ${endDate} → ${endDate.slice(5, 7)}/${endDate.slice(0, 4)}`,
    );
    expect(expiry.evidence[0]!.message).toContain('result.cardExpiryDate = "13/2099"');
    const cvv = failed.find((x) => x.ruleId.includes('cardVerifyNo'))!;
    expect(cvv.evidence[0]!.message).toContain('result.cardVerifyNo = "[REDACTED]"');
    for (const m of made) expect(m.message).not.toContain('987');
  });
});
