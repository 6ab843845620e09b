/**
 * The suite's own callback receiver: Alchemy POSTs the CREATE_CARD callback to `callbackUrl`, which
 * the suite makes `<receiver>/cb/<orderNo>` so that a callback is tied to the request that caused it
 * even when its body names another order. It answers 200 `SUCCESS` (the profile's acknowledgement) and
 * lets the suites read what arrived. Loopback only.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCallback {
  key: string;
  body: unknown;
  at: number;
}

export async function startReceiver(port = 0, ack = 'SUCCESS') {
  const received: ReceivedCallback[] = [];
  const MAX_BODY = 256 * 1024;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/__received') {
      const key = url.searchParams.get('key');
      const list = key === null ? received : received.filter((r) => r.key === key);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(list));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = Buffer.concat(chunks).toString('utf8').slice(0, 200);
      }
      const key = decodeURIComponent(url.pathname.replace(/^\/cb\//, ''));
      received.push({ key, body, at: Date.now() });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(ack);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
