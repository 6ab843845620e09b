/**
 * GEP's results sealed on a worker thread (`src/mock/sealer.ts`): the same bytes as sealing in line (the
 * shared vector's included), for many values at once and more than one key, the same refusal for a value
 * with no JSON form, the main thread taking over once the thread is gone; and `card-conformance mock`, the
 * long-running service, really seals there and its answers open with the platform key.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { threadSealer } from '../../src/mock/sealer.ts';
import { WireFormatError } from '../../src/wire/errors.ts';
import { decodeSealed, encodeSealed } from '../../src/wire/gep-envelope.ts';
import { generateTestKeyPair } from '../../src/wire/keys.ts';
import { BIN, cli } from '../helpers/cli.ts';
import { gepVector, MERCHANT_PRIVATE_PEM, MERCHANT_PUBLIC_PEM, vectorPath } from '../wire/vectors.ts';
import { type Harness, newTransport, plainGepApply, startHarness } from './support.ts';

const v = gepVector();
const vectorKey = createPrivateKey(readFileSync(vectorPath(MERCHANT_PRIVATE_PEM)));
const vectorPublic = createPublicKey(readFileSync(vectorPath(MERCHANT_PUBLIC_PEM)));
const other = generateTestKeyPair(1024);

describe('threadSealer', () => {
  const sealer = threadSealer();
  afterAll(() => sealer.close());

  it('seals the shared vector to its hex, byte for byte, on the thread', async () => {
    const value = JSON.parse(v.json) as unknown;
    // the vector's text is the value's own JSON, so sealing the value is sealing the vector's text
    expect(JSON.stringify(value)).toBe(v.json);
    expect(sealer.threaded).toBe(true);
    expect(await sealer.seal(value, vectorKey)).toBe(v.dataContentHex);
    expect(decodeSealed(v.dataContentHex, vectorPublic)).toEqual(value);
  });

  it('many values at once, with two keys: each the bytes encodeSealed gives, in its own promise', async () => {
    const values = fc.sample(fc.jsonValue({ maxDepth: 3 }), { numRuns: 120, seed: 7 });
    // one at least long enough for several chunks, and text beyond ASCII
    values.push({ s: 'é€😀'.repeat(200) }, 'x'.repeat(1000));
    const keys = [vectorKey, other.privateKey];
    const sealed = await Promise.all(values.map((x, i) => sealer.seal(x, keys[i % 2]!)));
    sealed.forEach((hex, i) => {
      expect(hex).toBe(encodeSealed(values[i], keys[i % 2]!));
    });
    expect(decodeSealed(sealed.at(-2)!, vectorPublic)).toEqual(values.at(-2));
  });

  it('a value with no JSON form is refused as encodeSealed refuses it', async () => {
    await expect(sealer.seal(undefined, vectorKey)).rejects.toBeInstanceOf(WireFormatError);
    expect(() => encodeSealed(undefined, vectorKey)).toThrow(WireFormatError);
    expect(await sealer.seal({ after: 'a refusal' }, vectorKey)).toBe(encodeSealed({ after: 'a refusal' }, vectorKey));
  });

  it('once the thread has stopped, the main thread seals the same bytes', async () => {
    const s = threadSealer();
    const value = { cardId: '1'.repeat(19), localCurrency: 'USD' };
    expect(await s.seal(value, other.privateKey)).toBe(encodeSealed(value, other.privateKey));
    await s.close();
    await expect.poll(() => s.threaded).toBe(false);
    expect(await s.seal(value, other.privateKey)).toBe(encodeSealed(value, other.privateKey));
  });
});

describe('a mock sealing on its thread answers as one sealing in line', () => {
  const transport = newTransport();
  afterAll(() => transport.close());
  /** What a client sees of two applies: status, success, the problem's kind, or the transport's failure. */
  const seen = async (h: Harness, name: string) => {
    const out: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      // the same order numbers on both mocks, each forced to complete: the same cards, whatever the seed
      const userReqNo = `seal-${name}-${i}`;
      h.mock.admin.gep.force(userReqNo, 'complete');
      try {
        const r = await h.gep.apply(plainGepApply(userReqNo));
        const body = r.body as Record<string, unknown> | undefined;
        const result = body?.['result'] as Record<string, unknown> | undefined;
        out.push({ status: r.status, success: body?.['success'], problem: r.problem?.kind, card: typeof result?.['cardId'] });
      } catch (err) {
        out.push({ failed: (err as Error).name });
      }
    }
    return out;
  };

  it.each([[[]], [['truncated']], [['wrong-key']], [['reset-after-commit']]] as const)('faults %j: the same answers', async (faults) => {
    const inline = await startHarness(transport, { faults });
    const threaded = await startHarness(transport, { faults, sealThread: true });
    try {
      expect(threaded.mock.stats().process.sealing).toBe('thread');
      const name = faults.join() || 'none';
      const [a, b] = [await seen(inline, name), await seen(threaded, name)];
      expect(b).toEqual(a);
      // the fault-free case is a real pair of cards, so the equality above is not two refusals
      if (faults.length === 0) expect(a).toEqual([0, 1].map(() => ({ status: 200, success: true, problem: undefined, card: 'string' })));
    } finally {
      await Promise.all([inline.close(), threaded.close()]);
    }
  });
});

describe('card-conformance mock seals on its thread', () => {
  let child: ChildProcess | undefined;
  afterAll(() => child?.kill('SIGTERM'));

  it('stats say "thread", a GEP apply through `call` is answered with a result the client opens, and SIGTERM stops it', async () => {
    child = spawn(process.execPath, [BIN, 'mock', '--admin', '--port', '0', '--status-interval', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ALCHEMY_|GEP_|MOCK_|CARD_CONFORMANCE_)/.test(k))),
    });
    let out = '';
    const started = await new Promise<{ url: string; envFile: string }>((resolve, reject) => {
      child!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
        const envFile = /client configuration \(keys for this run only\): (\S+)/.exec(out)?.[1];
        if (url && envFile) resolve({ url, envFile });
      });
      child!.once('exit', (code) => reject(new Error(`mock exited with ${code}: ${out}`)));
    });
    const stats = (await (await fetch(`${started.url}/__mock/stats`, { method: 'POST', body: '{}' })).json()) as {
      process: { sealing: string };
      requests: { gep: number };
    };
    expect(stats.process.sealing).toBe('thread');
    expect(stats.requests.gep).toBe(0);

    const env = Object.fromEntries(
      readFileSync(started.envFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const apply = plainGepApply(`sealer-${Date.now()}`);
    const r = await cli(['call', 'gep', 'apply', '--data', JSON.stringify(apply), '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout) as { outcome: string; body: { result: Record<string, unknown> } };
    expect(answer.outcome).toBe('success');
    expect(answer.body.result['localCurrency']).toBe(apply['localCurrency']);
    expect(String(answer.body.result['cardId'])).toMatch(/^\d{19}$/);

    const after = (await (await fetch(`${started.url}/__mock/stats`, { method: 'POST', body: '{}' })).json()) as typeof stats;
    expect(after.requests.gep).toBe(1);
    expect(after.process.sealing).toBe('thread');
    const code = await new Promise<number | null>((resolve) => {
      child!.once('exit', resolve);
      child!.kill('SIGTERM');
    });
    expect(code).toBe(0);
  });
});
