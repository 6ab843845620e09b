/**
 * `card-conformance mock [--port N] [--deviate NAME]... [--time-scale X] [--seed N] [--admin]
 * [--max-orders N] [--status-interval SECONDS] [--list-deviations]`: the embedded reference provider in
 * the foreground. Prints its URL, the key files of the client's half (0600, in a fresh temp dir removed
 * on exit), a one-line example call, and then a status line every interval (orders held, evicted and
 * refused at capacity, callbacks, memory): counters only, never an order number, key or card.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { DEVIATIONS } from '../mock/deviations.ts';
import { mockKeysFromEnv } from '../mock/env.ts';
import { FAULT_NAMES, FAULTS, resolveFaults } from '../mock/faults.ts';
import { LEEWAY_NAMES, resolveLeeway } from '../mock/leeway.ts';
import { MOCK_DEFAULTS, startMock, statusLine } from '../mock/server.ts';
import { catalogue } from '../spec/catalogue.ts';
import { SCHEMA_MODES } from '../spec/registry.ts';
import { EXIT } from '../wire/errors.ts';
import { type CommandSpec, helpText, oneOf, parse, SPEC_VERSION_OPTION, UsageError, useSpecVersions } from './args.ts';

/** How often a running mock prints its status line, by default. */
export const STATUS_INTERVAL_SECONDS = 60;

/**
 * How much V8 lets the mock's heap grow past what the last full collection kept before it collects again.
 * Left to itself V8 lets it grow up to four times: an evicted order, a queued callback and a request held
 * across two scavenges all end up as old-generation garbage (~2.5 MB/s at 2,000 requests/s), so the RSS
 * climbed by 70-130% in a minute and fell back at the next full collection. At 100% it stays within about
 * a fifth from minute to minute; at 50 and 20 the more frequent collections cost the answers their p99
 * (`npm run bench:soak`, figures in the README).
 */
export const MOCK_HEAP_GROWING_PERCENT = 100;

/**
 * The V8 flag the mock sets for itself, unless the user gave one of their own (on node's command line or
 * in NODE_OPTIONS): then theirs stands.
 */
export function heapGrowingFlag(execArgv: readonly string[], nodeOptions = ''): string | undefined {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].some((a) => /^--heap[-_]growing[-_]percent(=|$)/.test(a));
  return given ? undefined : `--heap-growing-percent=${MOCK_HEAP_GROWING_PERCENT}`;
}

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
      help: 'provider time per real time (0.001: minutes pass in ms)',
    },
    seed: { type: 'string', arg: 'N', default: MOCK_DEFAULTS.seed, help: 'seed of the card numbers, ids and outcomes' },
    fault: {
      type: 'string',
      multiple: true,
      arg: 'NAME',
      help: `put a fault on the wire: ${FAULT_NAMES.join(', ')} (see --list-faults); repeatable`,
    },
    'list-faults': { type: 'boolean', help: 'print the faults and exit' },
    leeway: {
      type: 'string',
      multiple: true,
      arg: 'NAME',
      help: `read an open point of the documents otherwise, still conformant: ${LEEWAY_NAMES.join(', ')}, all; repeatable`,
    },
    'schema-mode': {
      type: 'string',
      arg: SCHEMA_MODES.join('|'),
      default: MOCK_DEFAULTS.schemaMode,
      help: "answer as the tables type each field (strict: code a number) or as the documents' examples do (lenient)",
    },
    admin: { type: 'boolean', help: 'serve the /__mock/* admin routes' },
    'max-orders': {
      type: 'string',
      arg: 'N',
      default: MOCK_DEFAULTS.maxOrders,
      help: 'order details held per provider; the oldest settled are evicted first, 503 when none has settled',
    },
    'status-interval': {
      type: 'string',
      arg: 'SECONDS',
      default: STATUS_INTERVAL_SECONDS,
      help: 'print a status line (orders held, evicted, refused; callbacks; memory) this often; 0: never',
    },
    'list-deviations': { type: 'boolean', help: 'print the deviations and exit' },
    ...SPEC_VERSION_OPTION,
  },
  exits: [
    [EXIT.ok, 'stopped by SIGINT/SIGTERM, or the list was printed'],
    [EXIT.usage, 'usage error, unknown deviation or bad MOCK_* configuration'],
  ],
  example: `card-conformance mock --port 4010 --deviate ${DEVIATIONS[0]!.name}`,
} as const satisfies CommandSpec;

const WHAT: Record<string, string> = {
  'time-scale': 'positive number',
  'max-orders': 'whole number ≥ 1',
  'status-interval': 'number of seconds ≥ 0',
};
const number = (flag: string, v: string | undefined, fallback: number, ok: (n: number) => boolean) => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || !ok(n)) throw new UsageError(`--${flag} must be a ${WHAT[flag] ?? 'whole number'} (got "${v}")`);
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
  const statusEvery = number('status-interval', values['status-interval'], MOCK.options['status-interval'].default, (n) => n >= 0);
  // a service kept up for hours: a heap that stays near what it holds (read at every full collection, so it applies from now on)
  const heapFlag = heapGrowingFlag(process.execArgv, process.env['NODE_OPTIONS']);
  if (heapFlag) setFlagsFromString(heapFlag);
  const mock = await startMock({
    port: number('port', values.port, MOCK.options.port.default, (n) => Number.isInteger(n) && n >= 0 && n < 65536),
    deviations: values.deviate ?? [],
    timeScale: number('time-scale', values['time-scale'], MOCK.options['time-scale'].default, (n) => n > 0),
    seed: number('seed', values.seed, MOCK.options.seed.default, Number.isInteger),
    admin: values.admin === true,
    faults: resolveFaults(values.fault ?? []),
    leeway: resolveLeeway(values.leeway ?? []),
    maxOrders: number('max-orders', values['max-orders'], MOCK.options['max-orders'].default, (n) => Number.isInteger(n) && n >= 1),
    schemaMode: oneOf('schema-mode', values['schema-mode'], SCHEMA_MODES, MOCK.options['schema-mode'].default),
    keys: mockKeysFromEnv(process.env),
    // a service kept up for hours under load: GEP's RSA sealing off the thread that answers
    sealThread: true,
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
  // each line covers the event-loop delay since the last one
  const status =
    statusEvery > 0
      ? setInterval(() => out(`status: ${statusLine(mock.stats({ reader: 'status', resetLoopDelay: true }))}\n`), statusEvery * 1000)
      : undefined;
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  clearInterval(status);
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
  return 0;
}
