/**
 * The preflight, before the first case against a target that is not the embedded mock, in one request
 * per distinct base URL (through the run's transport: the same proxy-aware route and the same budget
 * gate as every case):
 * 1. reachability: a `GET` of the base URL; any HTTP answer is "reachable" (a status is not judged);
 *    the route taken (direct, or the proxy `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` choose) is recorded;
 * 2. clock skew: the answer's `Date` header against the local clock at the request's midpoint. A
 *    provider whose profile has a signature window (`wire.signatureWindowMs`: Alchemy's 5 minutes) is
 *    refused when the skew exceeds it — every signed request would be refused as stale, and the negative
 *    results would mean nothing. A provider without one (GEP) has the skew recorded only.
 * Then (session.ts) the positive control, only for the providers that passed. A refused provider is not
 * tested: the run ends with exit 3 (the target could not be tested), its findings at the head of the report.
 */

import { catalogue } from '../spec/catalogue.ts';
import type { Provider } from '../spec/registry.ts';
import { proxyFor } from '../wire/dispatcher.ts';
import { errorLine } from '../wire/errors.ts';
import type { Transport } from '../wire/http.ts';
import type { Redactor } from '../wire/redact.ts';

export interface ProviderPreflight {
  url: string;
  /** `direct`, or the proxy's origin (never its credentials). */
  route: string;
  reachable: boolean;
  /** HTTP status of the probe. */
  status?: number;
  /** Round trip of the probe, ms. */
  rttMs?: number;
  /** Target's `Date` minus the local clock at the request's midpoint, ms (± half the round trip and the header's 1 s resolution); null: no usable Date header. */
  skewMs?: number | null;
  /** The profile's signature window, ms; absent when the provider signs no timestamp. */
  windowMs?: number;
  ok: boolean;
  /** One line: why the provider is not tested. */
  problem?: string;
}

export type PreflightReport = Partial<Record<Provider, ProviderPreflight>>;

const seconds = (ms: number) => `${ms >= 0 ? '+' : '−'}${(Math.abs(ms) / 1000).toFixed(1)} s`;

/** One request per distinct base URL; results per provider. */
export async function preflight(
  targets: Partial<Record<Provider, string>>,
  transport: Transport,
  redactor: Redactor,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<PreflightReport> {
  const out: PreflightReport = {};
  const probes = new Map<string, Promise<Omit<ProviderPreflight, 'windowMs' | 'ok' | 'problem'> & { error?: string }>>();
  for (const [provider, url] of Object.entries(targets) as [Provider, string][]) {
    let probe = probes.get(url);
    if (!probe) {
      probe = (async () => {
        const route = proxyFor(url, env) ?? 'direct';
        const t0 = Date.now();
        try {
          const r = await transport.send({ provider, operation: 'preflight', method: 'GET', url, headers: {} });
          const t1 = Date.now();
          const date = Date.parse(r.headers['date'] ?? '');
          // the Date header is whole seconds, cut down: its middle is half a second later
          const skewMs = Number.isNaN(date) ? null : Math.round(date + 500 - (t0 + t1) / 2);
          return { url, route, reachable: true, status: r.status, rttMs: t1 - t0, skewMs };
        } catch (err) {
          return { url, route, reachable: false, error: errorLine(err, redactor) };
        }
      })();
      probes.set(url, probe);
    }
    const p = await probe;
    const window = catalogue().profiles[provider].wire['signatureWindowMs'];
    const windowMs = typeof window === 'number' ? window : undefined;
    const { error, ...seen } = p;
    let problem: string | undefined;
    if (!p.reachable) problem = `${url} cannot be reached (${p.route === 'direct' ? 'direct' : `through the proxy ${p.route}`}): ${error}`;
    else if (windowMs !== undefined && typeof p.skewMs === 'number' && Math.abs(p.skewMs) > windowMs)
      problem = `clock skew of ${seconds(p.skewMs)} against ${url} (its Date header vs this machine) exceeds the signature window of ${windowMs / 1000} s: fix the local clock (NTP) or the target's`;
    out[provider] = {
      ...seen,
      ...(windowMs !== undefined ? { windowMs } : {}),
      ok: problem === undefined,
      ...(problem ? { problem } : {}),
    };
  }
  return out;
}

/** The summary lines that head a run's summary. */
export function preflightLines(p: PreflightReport | undefined): string[] {
  if (!p) return [];
  return Object.entries(p).map(([provider, r]) =>
    r.ok
      ? `  preflight: ${provider} reachable (${r.route}, HTTP ${r.status}, ${r.rttMs} ms), clock skew ${typeof r.skewMs === 'number' ? seconds(r.skewMs) : 'unknown (no Date header)'}${r.windowMs !== undefined ? ` within the ${r.windowMs / 1000} s signature window` : ''}`
      : `  preflight: ${provider} REFUSED — ${r.problem}`,
  );
}
