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
import { FAULT_NAMES, FAULTS, resolveFaults } from '../mock/faults.ts';
import { MOCK_DEFAULTS, startMock } from '../mock/server.ts';
import { catalogue } from '../spec/catalogue.ts';
import { SCHEMA_MODES } from '../spec/registry.ts';
import { EXIT } from '../wire/errors.ts';
import { type CommandSpec, helpText, oneOf, parse, SPEC_VERSION_OPTION, UsageError, useSpecVersions } from './args.ts';

export const MOCK = {
  name: 'mock',
  positionals: '',
  summary: 'run the embedded reference provider of both APIs in the foreground (Ctrl-C stops it)',
  options: {
    port: { type: 'string', arg: 'N', default: MOCK_DEFAULTS.port, help: 'port on 127.0.0.1 (0: any free port)' },
    deviate: { type: 'string', multiple: true, arg: 'NAME', help: 'break one rule on purpose (see --list-deviations); repeatable' },
    'time-scale': {
      type: 'string',
      arg: 'X',
      default: MOCK_DEFAULTS.timeScale,
      help: 'provider time per real time (0.002: minutes pass in ms)',
    },
    seed: { type: 'string', arg: 'N', default: MOCK_DEFAULTS.seed, help: 'seed of the card numbers, ids and outcomes' },
    fault: {
      type: 'string',
      multiple: true,
      arg: 'NAME',
      help: `put a fault on the wire: ${FAULT_NAMES.join(', ')} (see --list-faults); repeatable`,
    },
    'list-faults': { type: 'boolean', help: 'print the faults and exit' },
    'schema-mode': {
      type: 'string',
      arg: SCHEMA_MODES.join('|'),
      default: MOCK_DEFAULTS.schemaMode,
      help: "answer as the tables type each field (strict: code a number) or as the documents' examples do (lenient)",
    },
    admin: { type: 'boolean', help: 'serve the /__mock/* admin routes' },
    'list-deviations': { type: 'boolean', help: 'print the deviations and exit' },
    ...SPEC_VERSION_OPTION,
  },
  exits: [
    [EXIT.ok, 'stopped by SIGINT/SIGTERM, or the list was printed'],
    [EXIT.usage, 'usage error, unknown deviation or bad MOCK_* configuration'],
  ],
  example: `card-conformance mock --port 4010 --deviate ${DEVIATIONS[0]!.name}`,
} as const satisfies CommandSpec;

const number = (flag: string, v: string | undefined, fallback: number, ok: (n: number) => boolean) => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || !ok(n))
    throw new UsageError(`--${flag} must be a ${flag === 'time-scale' ? 'positive number' : 'whole number'} (got "${v}")`);
  return n;
};

export async function mockCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values } = parse(argv, MOCK);
  if (values.help) {
    out(helpText(MOCK));
    return EXIT.ok;
  }
  useSpecVersions(values['spec-version']);
  if (values['list-faults']) {
    const w = Math.max(...FAULT_NAMES.map((f) => f.length));
    for (const f of FAULT_NAMES) out(`${f.padEnd(w)}  ${FAULTS[f].transient ? 'transient ' : 'persistent'}  ${FAULTS[f].description}\n`);
    return EXIT.ok;
  }
  if (values['list-deviations']) {
    const w = Math.max(...DEVIATIONS.map((d) => d.name.length));
    for (const d of DEVIATIONS) out(`${d.name.padEnd(w)}  breaks ${d.ruleId}\n${' '.repeat(w + 2)}${d.description}\n`);
    out(`${DEVIATIONS.length} deviations\n`);
    return EXIT.ok;
  }
  const mock = await startMock({
    port: number('port', values.port, MOCK.options.port.default, (n) => Number.isInteger(n) && n >= 0 && n < 65536),
    deviations: values.deviate ?? [],
    timeScale: number('time-scale', values['time-scale'], MOCK.options['time-scale'].default, (n) => n > 0),
    seed: number('seed', values.seed, MOCK.options.seed.default, Number.isInteger),
    admin: values.admin === true,
    faults: resolveFaults(values.fault ?? []),
    schemaMode: oneOf('schema-mode', values['schema-mode'], SCHEMA_MODES, MOCK.options['schema-mode'].default),
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
  out(
    `card-conformance mock listening on ${mock.url} (document versions ${Object.values(catalogue().versions).join(', ')})${mock.deviations.length ? ` (deviations: ${mock.deviations.join(', ')})` : ''}\n`,
  );
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
