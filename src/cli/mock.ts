/**
 * `card-conformance mock [--port N] [--deviate NAME]... [--time-scale X] [--seed N] [--admin]
 * [--list-deviations]`: the embedded reference provider in the foreground. Prints its URL, the key
 * files of the client's half (0600, in a fresh temp dir removed on exit) and a one-line example call.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEVIATIONS } from '../mock/deviations.ts';
import { mockKeysFromEnv } from '../mock/env.ts';
import { startMock } from '../mock/server.ts';
import { parse, UsageError } from './args.ts';

export const MOCK_USAGE = `  mock [--port N] [--deviate NAME]... [--time-scale X] [--seed N] [--admin] [--list-deviations]
                                                run the embedded reference provider of both APIs
`;

const number = (flag: string, v: string | undefined, fallback: number, ok: (n: number) => boolean) => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || !ok(n))
    throw new UsageError(`--${flag} must be a ${flag === 'time-scale' ? 'positive number' : 'whole number'} (got "${v}")`);
  return n;
};

export async function mockCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values } = parse(argv, {
    port: { type: 'string' },
    deviate: { type: 'string', multiple: true },
    'time-scale': { type: 'string' },
    seed: { type: 'string' },
    admin: { type: 'boolean' },
    'list-deviations': { type: 'boolean' },
  });
  if (values['list-deviations']) {
    const w = Math.max(...DEVIATIONS.map((d) => d.name.length));
    for (const d of DEVIATIONS) out(`${d.name.padEnd(w)}  breaks ${d.ruleId}\n${' '.repeat(w + 2)}${d.description}\n`);
    out(`${DEVIATIONS.length} deviations\n`);
    return 0;
  }
  const mock = await startMock({
    port: number('port', values.port, 0, (n) => Number.isInteger(n) && n >= 0 && n < 65536),
    deviations: values.deviate ?? [],
    timeScale: number('time-scale', values['time-scale'], 1, (n) => n > 0),
    seed: number('seed', values.seed, 1, Number.isInteger),
    admin: values.admin === true,
    keys: mockKeysFromEnv(process.env),
  });
  const dir = mkdtempSync(join(tmpdir(), 'card-conformance-mock-'));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text, { mode: 0o600 });
    return p;
  };
  const lines = [
    `ALCHEMY_BASE_URL=${mock.url}`,
    `ALCHEMY_ACCESS_KEY=${mock.client.alchemy.accessKey}`,
    `ALCHEMY_SECRET_KEY=${mock.client.alchemy.secretKey}`,
    `ALCHEMY_EMAIL=${mock.client.alchemy.email}`,
  ];
  if (mock.client.gep) {
    const g = mock.client.gep;
    lines.push(`GEP_BASE_URL=${mock.url}`, `GEP_USER_NO=${g.userNo}`, `GEP_CERTIFICATE_ID=${g.certificateId}`);
    lines.push(
      `GEP_MERCHANT_PRIVATE_KEY=${file('gep-merchant.key.pem', g.merchantPrivatePem)}`,
      `GEP_PLATFORM_PUBLIC_KEY=${file('gep-platform.pub.pem', g.platformPublicPem)}`,
    );
  }
  const envFile = file('mock.env', `${lines.join('\n')}\n`);
  out(`card-conformance mock listening on ${mock.url}${mock.deviations.length ? ` (deviations: ${mock.deviations.join(', ')})` : ''}\n`);
  out(`client configuration (keys for this run only): ${envFile}\n`);
  out(
    `try: (set -a; . ${envFile}; npx card-conformance call alchemy create --data '{"vid":"USD","deposit":"1000","orderNo":"try-1","callbackUrl":"http://127.0.0.1:9/cb","cardHolder":{"firstName":"Milton","lastName":"Schmitt"}}')\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
  return 0;
}
