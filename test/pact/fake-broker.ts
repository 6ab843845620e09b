/** A fake Pact Broker on 127.0.0.1 that records every request and answers the few routes publishing uses. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Seen {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export async function startFakeBroker(opts: { environments?: Array<{ name: string; uuid: string }> } = {}) {
  const seen: Seen[] = [];
  let url = '';
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const path = req.url ?? '/';
      seen.push({ method: req.method ?? '', path, headers: req.headers, body: raw ? JSON.parse(raw) : undefined });
      const send = (body: unknown, status = 200) => {
        res.writeHead(status, { 'content-type': 'application/hal+json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'POST' && path === '/contracts/publish') return send({ notices: [] });
      if (req.method === 'GET' && path.startsWith('/pacts/provider/'))
        return send({ _links: { 'pb:publish-verification-results': { href: `${url}${path}/verification-results` } } });
      if (req.method === 'POST' && path.endsWith('/verification-results')) return send({}, 201);
      if (req.method === 'GET' && path === '/environments') return send({ _embedded: { environments: opts.environments ?? [] } });
      if (req.method === 'POST' && path.includes('/deployed-versions/environment/')) return send({}, 201);
      send({ error: 'not found' }, 404);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
