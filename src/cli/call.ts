/**
 * `card-conformance call <provider> <operation> [--data '<json>'|@file] [--base-url URL] [--json]`:
 * signs or encrypts one request, sends it, prints the call, the HTTP status and the decoded answer,
 * redacted (configured secrets, card numbers, CVVs, the activation link's token).
 *
 * Exit codes: 0 the provider answered success; 1 it answered a refusal, or an answer the client could
 * not read (a problem); 2 usage or configuration error; 3 the provider could not be reached. Every
 * failure is one line on stderr, redacted, never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { createAlchemyClient } from '../client/alchemy.ts';
import { curlFor } from '../client/curl.ts';
import { createGepClient } from '../client/gep.ts';
import type { CallResult } from '../client/types.ts';
import { type Config, loadConfig, type Targets } from '../config/env.ts';
import { guardEarly } from '../config/target-kind.ts';
import { OPERATIONS, PROVIDERS, type Provider } from '../spec/registry.ts';
import { EXIT, errorLine, exitCodeOf } from '../wire/errors.ts';
import { createTransport } from '../wire/http.ts';
import { createRedactor, type Redactor } from '../wire/redact.ts';
import { type CommandSpec, helpText, parse, SPEC_VERSION_OPTION, synopsis, UsageError, useSpecVersions } from './args.ts';
import { resolveTarget, TARGET_OPTIONS, type TargetRequest, targetRequest } from './target.ts';

export const CALL = {
  name: 'call',
  positionals: '<provider> <operation>',
  summary: [
    'send one signed (Alchemy) or encrypted (GEP) request and print the redacted answer',
    'prints the call (and its curl), the HTTP status and the answer with secrets, card numbers and CVVs redacted;',
    'without --base-url or <PROVIDER>_BASE_URL the embedded mock answers (with the MOCK_* keys if set)',
    `operations: ${PROVIDERS.map((p) => `${p} ${OPERATIONS[p].join('|')}`).join(', ')}`,
  ].join('\n'),
  options: {
    data: {
      type: 'string',
      arg: "'<json>'|@FILE",
      default: 'no body (alchemy), {} (gep)',
      help: 'the request body: inline JSON, or @path to a JSON file',
    },
    'base-url': { type: 'string', arg: 'URL', default: '<PROVIDER>_BASE_URL, else the embedded mock', help: 'where to send it' },
    json: { type: 'boolean', help: 'print one JSON object (outcome, request, answer, curl) instead of text' },
    ...SPEC_VERSION_OPTION,
    ...TARGET_OPTIONS,
  },
  exits: [
    [EXIT.ok, 'the provider answered success'],
    [EXIT.failed, 'it answered a refusal, or an answer the client could not read'],
    [EXIT.usage, 'usage or configuration error'],
    [EXIT.untestable, 'the provider could not be reached'],
  ],
  example: `card-conformance call alchemy create --data '{"vid":"USD","deposit":"1000","orderNo":"try-1","callbackUrl":"http://127.0.0.1:9/cb","cardHolder":{"firstName":"Ada","lastName":"Lovelace"}}'`,
} as const satisfies CommandSpec;

/** The envelope's verdict fields per provider. */
const ENVELOPE: Record<Provider, { code: string; message: string }> = {
  alchemy: { code: 'code', message: 'msg' },
  gep: { code: 'errorCode', message: 'errorMsg' },
};

type Outcome = 'success' | 'refused' | 'problem';

/** The body of `--data`: inline JSON, or `@path` to a JSON file. Absent: no body (Alchemy), `{}` (GEP). */
function readData(provider: Provider, data: string | undefined): unknown {
  if (data === undefined) return provider === 'gep' ? {} : undefined;
  let text = data;
  if (data.startsWith('@')) {
    const path = data.slice(1);
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(`--data @${path}: ${code === 'ENOENT' ? 'file not found' : `cannot be read (${code ?? 'unknown error'})`}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch {
    // The parser's message quotes the input: say only what is wrong.
    throw new UsageError(`--data${data.startsWith('@') ? ` ${data}` : ''} is not valid JSON (see card-conformance --help)`);
  }
}

function outcomeOf(result: CallResult): Outcome {
  if (result.problem) return 'problem';
  const body = result.body as Record<string, unknown>;
  return result.status >= 200 && result.status < 300 && body['success'] === true ? 'success' : 'refused';
}

function verdictLine(result: CallResult, outcome: Outcome, redactor: Redactor): string {
  if (result.problem) return `problem: ${redactor.text(result.problem.message)}`;
  if (outcome === 'success') return 'success';
  const body = result.body as Record<string, unknown>;
  const { code, message } = ENVELOPE[result.provider];
  const said = [body[code], body[message]].filter((v) => v !== undefined && v !== null && v !== '').map(String);
  return redactor
    .text(`refused: HTTP ${result.status}${said.length ? `, ${said.join(' ')}` : ', success is not true'}`)
    .replace(/\s*[\r\n]+\s*/g, ' ');
}

async function send(
  provider: Provider,
  operation: string,
  data: unknown,
  baseUrl: string | undefined,
  config: Config,
  redactor: Redactor,
  req: TargetRequest,
): Promise<CallResult> {
  // Without a base URL this starts the embedded mock, stopped once the call is done (never under --target sandbox).
  const resolved =
    provider === 'alchemy'
      ? await resolveTarget('alchemy', config, baseUrl, process.env, req)
      : await resolveTarget('gep', config, baseUrl, process.env, req);
  const transport = createTransport(config.limits);
  const opts = { transport, retries: config.limits.retries, rideOutMs: config.limits.rideOutMs, redactor };
  try {
    if (provider === 'alchemy') {
      const client = createAlchemyClient(resolved.target as Targets['alchemy'], opts);
      return await client.call(operation as (typeof OPERATIONS)['alchemy'][number], data);
    }
    const client = createGepClient(resolved.target as Targets['gep'], opts);
    return await client.call(operation as (typeof OPERATIONS)['gep'][number], data);
  } finally {
    await transport.close();
    await resolved.close();
  }
}

function print(result: CallResult, json: boolean, redactor: Redactor, out: (s: string) => void): Outcome {
  const outcome = outcomeOf(result);
  const curl = curlFor(result, redactor);
  if (json) {
    out(`${JSON.stringify({ outcome, ...(redactor.value(result) as object), curl }, null, 2)}\n`);
    return outcome;
  }
  const { method, url } = result.request;
  const attempts = `${result.attempts} attempt${result.attempts === 1 ? '' : 's'}`;
  out(`${method} ${redactor.text(url)} → HTTP ${result.status} (${attempts}, ${Math.round(result.durationMs)} ms)\n`);
  out(`${curl}\n`);
  const shown =
    result.body !== undefined ? JSON.stringify(redactor.value(result.body), null, 2) : redactor.text(result.rawBody.slice(0, 2_000));
  out(`${shown}\n`);
  out(`${verdictLine(result, outcome, redactor)}\n`);
  return outcome;
}

export async function callCommand(
  argv: string[],
  out: (s: string) => void,
  err: (s: string) => void = (s) => process.stderr.write(s),
): Promise<number> {
  const { values, positionals } = parse(argv, CALL);
  if (values.help) {
    out(helpText(CALL));
    return EXIT.ok;
  }
  useSpecVersions(values['spec-version']);
  const [provider, operation, ...extra] = positionals;
  if (provider === undefined || operation === undefined || extra.length > 0)
    throw new UsageError(`usage: card-conformance ${synopsis(CALL)}`);
  if (!(PROVIDERS as readonly string[]).includes(provider))
    throw new UsageError(`provider must be one of ${PROVIDERS.join(', ')} (got "${provider}")`);
  const p = provider as Provider;
  const operations: readonly string[] = OPERATIONS[p];
  if (!operations.includes(operation)) throw new UsageError(`${p} operation must be one of ${operations.join(', ')} (got "${operation}")`);
  const data = readData(p, values.data);

  let redactor = createRedactor();
  try {
    const req = targetRequest(values, process.env);
    guardEarly([p], process.env, { ...req, urlSource: '--base-url' }, values['base-url']);
    const config = loadConfig(process.env);
    redactor = createRedactor({ secrets: config.secrets });
    const result = await send(p, operation, data, values['base-url'], config, redactor, req);
    return print(result, values.json === true, redactor, out) === 'success' ? EXIT.ok : EXIT.failed;
  } catch (e) {
    // Past this point the configured secrets are known: the line goes through their redactor here.
    err(`card-conformance call: ${errorLine(e, redactor)}\n`);
    return exitCodeOf(e);
  }
}
