/**
 * undici, required on first use rather than imported with the module that uses it: `--help`, `rules` and
 * `export` never need it. And only the parts this project uses: undici's index requires every dispatcher,
 * the mock agent, fetch, the cache stores and the interceptors, 65 ms of every process's start (the
 * CLI's, and each conformance worker's), where the dispatchers and the request API take 25 ms.
 *
 * undici ships CommonJS only and has no `exports` map, so these are the very modules its index requires:
 * the same classes (an `instanceof` holds across both), and the same request API its index installs on
 * `Dispatcher.prototype` (the same `Object.assign`, so loading the index too changes nothing).
 */
import { createRequire } from 'node:module';

type Full = typeof import('undici');
export type Undici = Pick<Full, 'Agent' | 'EnvHttpProxyAgent' | 'request'>;
let loaded: Undici | undefined;

export const undici = (): Undici => {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const Dispatcher = require('undici/lib/dispatcher/dispatcher') as { prototype: object };
  Object.assign(Dispatcher.prototype, require('undici/lib/api'));
  const { getGlobalDispatcher } = require('undici/lib/global') as Pick<Full, 'getGlobalDispatcher'>;
  const Agent = require('undici/lib/dispatcher/agent') as Full['Agent'];
  let proxyAgent: Full['EnvHttpProxyAgent'] | undefined;
  loaded = {
    Agent,
    // only when a proxy variable is set (src/wire/dispatcher.ts)
    get EnvHttpProxyAgent() {
      proxyAgent ??= require('undici/lib/dispatcher/env-http-proxy-agent') as Full['EnvHttpProxyAgent'];
      return proxyAgent;
    },
    // undici's own `request(url, options)`: the options' dispatcher (else the global one), asked for the URL's origin and path
    request: ((url: string | URL, options: Parameters<Full['request']>[1] = {}) => {
      const u = new URL(url);
      const { dispatcher = getGlobalDispatcher(), ...rest } = options ?? {};
      return dispatcher.request({
        ...rest,
        origin: u.origin,
        path: `${u.pathname}${u.search}`,
        method: rest.method ?? (rest.body ? 'PUT' : 'GET'),
      });
    }) as Full['request'],
  };
  return loaded;
};
