/**
 * What the mock benchmarks share: the embedded mock in its own process (as `card-conformance mock` runs
 * it) with keys made here, and the signed Alchemy create and sealed GEP apply a client would send it.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { createPrivateKey, type KeyObject, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { addDays } from '../src/checks/util.ts';
import { alchemyHeaders } from '../src/wire/alchemy-sign.ts';
import { cachedEncryptChunk, encodeSealed, gepForm } from '../src/wire/gep-envelope.ts';
import { generateTestKeyPair } from '../src/wire/keys.ts';

export type Req = { path: string; headers: Record<string, string>; body: string };

/** The bench's keys, made at run time: as the mock's environment, plus the merchant's private PEM a client seals with. */
export interface BenchKeys {
  MOCK_ALCHEMY_ACCESS_KEY: string;
  MOCK_ALCHEMY_SECRET_KEY: string;
  MOCK_GEP_USER_NO: string;
  MOCK_GEP_MERCHANT_PUBLIC_KEY: string;
  MOCK_GEP_PLATFORM_PRIVATE_KEY: string;
  merchantPrivatePem: string;
}
let made: (BenchKeys & { merchantPrivateKey: KeyObject }) | undefined;
/** This process's keys (made once); a worker thread is given them (`benchKeys(fromParent)`) so both sides use the same. */
export function benchKeys(given?: BenchKeys): BenchKeys & { merchantPrivateKey: KeyObject } {
  if (made) return made;
  if (given) {
    made = { ...given, merchantPrivateKey: createPrivateKey(given.merchantPrivatePem) };
    return made;
  }
  const merchant = generateTestKeyPair(1024);
  const platform = generateTestKeyPair(1024);
  made = {
    MOCK_ALCHEMY_ACCESS_KEY: 'bench-ak',
    MOCK_ALCHEMY_SECRET_KEY: randomBytes(24).toString('hex'),
    MOCK_GEP_USER_NO: '1'.repeat(19),
    MOCK_GEP_MERCHANT_PUBLIC_KEY: merchant.publicPem,
    MOCK_GEP_PLATFORM_PRIVATE_KEY: platform.privatePem,
    merchantPrivatePem: merchant.privatePem,
    merchantPrivateKey: merchant.privateKey,
  };
  return made;
}

/**
 * Start the mock with extra arguments; `onLine` sees every line it prints. Resolves its URL.
 * BENCH_MOCK_NODE_FLAGS passes node flags to the mock's process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`
 * or `--trace-gc`, whose lines `bench:soak --trace` prints) to see where its time goes.
 */
export async function startMockProcess(
  args: string[],
  onLine: (line: string) => void = () => {},
): Promise<{ url: string; child: ChildProcessByStdio<null, Readable, null> }> {
  const { merchantPrivatePem: _private, merchantPrivateKey: _key, ...env } = benchKeys();
  const child = spawn(
    process.execPath,
    [
      ...(process.env['BENCH_MOCK_NODE_FLAGS'] ?? '').split(' ').filter(Boolean),
      'bin/card-conformance.mjs',
      'mock',
      '--seed',
      '1',
      ...args,
    ],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(buf);
      if (m) resolve(m[1]!);
      for (const line of buf.split('\n').slice(0, -1)) onLine(line);
      buf = buf.slice(buf.lastIndexOf('\n') + 1);
    });
    child.once('exit', (code) => reject(new Error(`mock exited with ${code}`)));
  });
  return { url, child };
}

/** A signed Alchemy create of the seed example's shape, with its own order number and callback. */
export function alchemyCreate(orderNo: string, callbackUrl: string): Req {
  const path = '/open/api/card/create';
  const body = { vid: 'USD', deposit: '1000', orderNo, callbackUrl, cardHolder: { firstName: 'Milton', lastName: 'Schmitt' } };
  const keys = benchKeys();
  const headers = alchemyHeaders({
    accessKey: keys.MOCK_ALCHEMY_ACCESS_KEY,
    secret: keys.MOCK_ALCHEMY_SECRET_KEY,
    email: 'bench@example.test',
    method: 'POST',
    path,
    body,
  }) as unknown as Record<string, string>;
  return { path, headers, body: JSON.stringify(body) };
}

/** Sealing's chunk cache: every apply's JSON starts with the same fields, so its first chunk is encrypted once (same bytes). */
const encrypt = cachedEncryptChunk();

/**
 * A sealed GEP apply starting `today`, with its own request number. The request number is the last field
 * so that the sealed text's first chunk is the same for every apply (see `cachedEncryptChunk`).
 */
export function gepApply(userReqNo: string, today: string): Req {
  const data = {
    localCurrency: 'USD',
    startDate: today,
    endDate: addDays(today, 365),
    authLimitAmount: '10',
    enableMultiUse: '1',
    enableCurrencyCheck: '0',
    userReqNo,
  };
  const keys = benchKeys();
  const body = gepForm({
    certificateId: '2'.repeat(19),
    userNo: keys.MOCK_GEP_USER_NO,
    dataContent: encodeSealed(data, keys.merchantPrivateKey, encrypt),
  });
  return { path: '/api/vas/card/apply', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body };
}
