/**
 * A small provider stand-in on 127.0.0.1 for client and CLI tests. It VERIFIES what it receives with the
 * wire layer's own checks (Alchemy: `verifyAlchemyRequest`; GEP: the form parsed and `dataContent`
 * opened with the merchant's public key) and records the verdict, so a test can assert that the client
 * sent a valid request and the exact body. What it answers is up to each test's `respond`.
 */
import type { KeyObject } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AlchemyVerifyResult, verifyAlchemyRequest } from '../../src/wire/alchemy-sign.ts';
import { decodeSealed, encodeSealed, type GepFormFields, parseGepForm } from '../../src/wire/gep-envelope.ts';

export interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** Alchemy paths: the signature check. */
  alchemy?: AlchemyVerifyResult;
  /** GEP paths: the form, and `dataContent` opened (or why it could not be). */
  gep?: { form: GepFormFields; data?: unknown; openError?: string };
}

export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body: string;
}

export interface ServerOptions {
  /** Alchemy: the secret of each known access key. */
  alchemySecrets?: Record<string, string>;
  /** GEP: opens `dataContent`. */
  merchantPublicKey?: KeyObject;
  /** The answer to request `n` (1-based). */
  respond: (seen: Seen, n: number) => Answer;
}

export interface ProviderServer {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

export async function startProviderServer(options: ServerOptions): Promise<ProviderServer> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '';
      const s: Seen = { method: req.method ?? '', path, headers: req.headers, rawBody };
      if (path.includes('/open/api/')) {
        const secrets = options.alchemySecrets ?? {};
        s.alchemy = verifyAlchemyRequest({
          headers: req.headers,
          method: s.method,
          path,
          rawBody,
          secretFor: (k) => secrets[k],
          now: Date.now(),
        });
      }
      if (path.includes('/api/vas/')) {
        const form = parseGepForm(rawBody);
        s.gep = { form };
        try {
          if (!options.merchantPublicKey) throw new Error('no merchant public key');
          s.gep.data = decodeSealed(form.dataContent ?? '', options.merchantPublicKey);
        } catch (err) {
          s.gep.openError = (err as Error).message;
        }
      }
      seen.push(s);
      const a = options.respond(s, seen.length);
      res.writeHead(a.status ?? 200, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Alchemy's envelope: success with `model`, or a refusal with `code`. */
export function alchemyAnswer(seen: Seen, model: unknown): Answer {
  if (!seen.alchemy?.ok)
    return { body: JSON.stringify({ success: false, error: true, code: '2604', msg: 'signature verification failed', model: null }) };
  return { body: JSON.stringify({ success: true, error: false, code: '0', msg: 'success', traceId: 't-1', model }) };
}

/** GEP's envelope: success with `result` sealed by the platform's private key, or 110001 when `dataContent` did not open. */
export function gepAnswer(seen: Seen, result: unknown, platformPrivateKey: KeyObject): Answer {
  if (seen.gep?.data === undefined)
    return { body: JSON.stringify({ success: false, errorCode: '110001', errorMsg: 'dataContent cannot be decrypted', result: '' }) };
  return { body: JSON.stringify({ success: true, errorCode: '', errorMsg: '', result: encodeSealed(result, platformPrivateKey) }) };
}
