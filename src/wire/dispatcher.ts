/**
 * The one route to a target, for every command (`run`, `call`, `proxy`, `verify-pacts`) and the
 * preflight: an undici dispatcher that honours the proxy environment, since a sandbox often admits only
 * allow-listed egress.
 *
 * With `HTTPS_PROXY` / `HTTP_PROXY` (or the lower-case names) set, undici's `EnvHttpProxyAgent`:
 * - an `https:` target goes through `HTTPS_PROXY`, else `HTTP_PROXY`; an `http:` target only through
 *   `HTTP_PROXY` (as curl does: `HTTPS_PROXY` alone leaves plain-http targets direct);
 * - the proxy is always asked with `CONNECT host:port` (a tunnel), for http targets too;
 * - `NO_PROXY` (comma or space separated hosts, `host:port`, `.suffix`, or `*`) goes direct; it has NO
 *   default: loopback is proxied like any other host unless NO_PROXY names it.
 * Without any proxy variable, a plain `Agent`.
 */
import type { Dispatcher } from 'undici';
import { undici } from './undici.ts';

export interface DispatcherOptions {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
}

export const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'] as const;

/** The proxy a request to `url` takes under `env` (as EnvHttpProxyAgent decides it), for reports and messages; undefined: direct. */
export function proxyFor(url: string, env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  const u = new URL(url);
  const http = env['http_proxy'] ?? env['HTTP_PROXY'];
  const https = env['https_proxy'] ?? env['HTTPS_PROXY'];
  const proxy = u.protocol === 'https:' ? (https ?? http) : http;
  if (!proxy) return undefined;
  const noProxy = (env['no_proxy'] ?? env['NO_PROXY'] ?? '').split(/[,\s]/).filter(Boolean);
  if (noProxy.includes('*')) return undefined;
  const host = u.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
  for (const entry of noProxy) {
    const m = /^(.+):(\d+)$/.exec(entry);
    const name = (m ? m[1]! : entry).replace(/^\*?\./, '').toLowerCase();
    if (m && Number(m[2]) !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return undefined;
  }
  // never print a proxy's credentials
  const p = new URL(proxy);
  return `${p.protocol}//${p.host}`;
}

export function createDispatcher(o: DispatcherOptions, env: Readonly<Record<string, string | undefined>> = process.env): Dispatcher {
  const options = { connect: { timeout: o.connectTimeoutMs }, headersTimeout: o.headersTimeoutMs, bodyTimeout: o.bodyTimeoutMs };
  // the proxy agent's modules are loaded only when a proxy is set
  return PROXY_VARIABLES.some((v) => env[v]) ? new (undici().EnvHttpProxyAgent)(options) : new (undici().Agent)(options);
}
