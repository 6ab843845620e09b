/**
 * The codec proxy (`card-conformance proxy`): plaintext in, the provider's wire format out, the answer
 * back in plaintext. It is the typed client in `wire` codec behind a plain HTTP server, so what it sends
 * is exactly what the suites send: Alchemy's JSON re-signed over a fresh timestamp with the configured
 * keys (whatever signature headers came in), GEP's JSON sealed into the form's `dataContent` with the
 * merchant key and the answer's `result` opened with the platform key. A request may ask, with the
 * `card-conformance-codec` header, for a wrong signature or an undecryptable `dataContent`.
 *
 * Only loopback: it listens on 127.0.0.1. Every exchange is recorded (operation, status, accepted or
 * not, any problem) for `verify-pacts`; `log` prints each one redacted.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AlchemyOperation, createAlchemyClient } from '../client/alchemy.ts';
import { createGepClient, type GepOperation } from '../client/gep.ts';
import { type CallResult, CODEC_DIRECTIVE_HEADER, CODEC_DIRECTIVES, type CodecDirective } from '../client/types.ts';
import type { Limits, Targets } from '../config/env.ts';
import { envelopeOf } from '../conformance/judge.ts';
import { catalogue } from '../spec/catalogue.ts';
import type { Provider } from '../spec/registry.ts';
import { errorLine } from '../wire/errors.ts';
import { createTransport } from '../wire/http.ts';
import type { Redactor } from '../wire/redact.ts';
import { OPEN_OPERATION } from './examples.ts';

export interface Exchange {
  provider: Provider;
  operation: string;
  status: number;
  /** The provider said yes (success, or an outcome to be learned). */
  accepted: boolean;
  /** The answer was the provider's envelope, read (and for GEP opened). */
  readable: boolean;
  problem?: string;
}

export interface CodecProxyOptions<P extends Provider> {
  provider: P;
  target: Targets[P];
  limits: Limits;
  redactor: Redactor;
  port?: number;
  /** Each exchange, redacted, one block of lines. */
  log?: (line: string) => void;
}

export interface CodecProxy {
  url: string;
  port: number;
  exchanges: Exchange[];
  close(): Promise<void>;
}

/** A signature of the right shape that no secret made (the value a `bad-signature` request gets). */
const WRONG_SIGNATURE = Buffer.from('card-conformance: wrong signature').subarray(0, 32).toString('base64');
/** Hex of the right shape that no key sealed (the `dataContent` an `undecryptable` request gets). */
const WRONG_SEAL = 'ab'.repeat(128);

function reply(res: ServerResponse, status: number, body: string, type = 'application/json; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export async function startCodecProxy<P extends Provider>(o: CodecProxyOptions<P>): Promise<CodecProxy> {
  const transport = createTransport(o.limits);
  const clientOpts = { transport, retries: o.limits.retries, rideOutMs: o.limits.rideOutMs, redactor: o.redactor };
  const alchemy = o.provider === 'alchemy' ? createAlchemyClient(o.target as Targets['alchemy'], clientOpts) : undefined;
  const gep = o.provider === 'gep' ? createGepClient(o.target as Targets['gep'], clientOpts) : undefined;
  const calls = catalogue().profiles[o.provider].calls;
  const envelope = envelopeOf(o.provider, OPEN_OPERATION[o.provider]);
  const exchanges: Exchange[] = [];
  const error = (res: ServerResponse, status: number, message: string) => reply(res, status, JSON.stringify({ error: message }));

  async function handle(req: IncomingMessage, raw: string, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const call = calls.find((c) => c.path === path && c.method === req.method);
    if (!call) return error(res, 404, `no ${o.provider} operation at ${req.method} ${path}`);
    const asked = req.headers[CODEC_DIRECTIVE_HEADER];
    const directive = typeof asked === 'string' ? asked : undefined;
    if (directive !== undefined && !(CODEC_DIRECTIVES as readonly string[]).includes(directive))
      return error(res, 400, `${CODEC_DIRECTIVE_HEADER} must be one of ${CODEC_DIRECTIVES.join(', ')}`);
    let body: unknown;
    try {
      body = raw.trim() === '' ? undefined : JSON.parse(raw);
    } catch {
      return error(res, 400, 'the body is not JSON: the proxy takes the business JSON in clear');
    }
    const started = performance.now();
    let r: CallResult;
    try {
      r = alchemy
        ? await alchemy.call(
            call.operation as AlchemyOperation,
            body,
            (directive as CodecDirective) === 'bad-signature' ? { signature: WRONG_SIGNATURE } : {},
          )
        : await gep!.call(
            call.operation as GepOperation,
            body ?? {},
            (directive as CodecDirective) === 'undecryptable' ? { rawDataContent: WRONG_SEAL } : {},
          );
    } catch (err) {
      const line = errorLine(err, o.redactor);
      exchanges.push({ provider: o.provider, operation: call.operation, status: 502, accepted: false, readable: false, problem: line });
      o.log?.(`proxy: ${req.method} ${path} → ${line}\n`);
      return error(res, 502, line);
    }
    const e = envelope.read(r);
    exchanges.push({
      provider: o.provider,
      operation: call.operation,
      status: r.status,
      accepted: e.accepted,
      readable: !r.problem,
      ...(r.problem ? { problem: o.redactor.text(r.problem.message) } : {}),
    });
    o.log?.(
      [
        `proxy: ${req.method} ${path} → HTTP ${r.status} ${r.problem ? r.problem.kind : e.accepted ? 'accepted' : `refused ${e.code ?? ''}`} (${Math.round(performance.now() - started)} ms)`,
        `  request: ${JSON.stringify(o.redactor.value(body) ?? null)}`,
        `  answer:  ${r.body !== undefined ? JSON.stringify(o.redactor.value(r.body)) : o.redactor.text(r.rawBody.slice(0, 500))}`,
        '',
      ].join('\n'),
    );
    // GEP's answer with `result` opened; anything the client could not read goes back as it came
    if (gep && !r.problem) return reply(res, r.status, JSON.stringify(r.body));
    return reply(res, r.status, r.rawBody, r.headers['content-type'] ?? 'application/octet-stream');
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > o.limits.maxBodyBytes) over = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (over) return error(res, 413, `request body over ${o.limits.maxBodyBytes} bytes`);
      handle(req, Buffer.concat(chunks).toString('utf8'), res).catch(() => error(res, 500, 'the proxy failed'));
    });
    req.on('error', () => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    exchanges,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await transport.close();
    },
  };
}
