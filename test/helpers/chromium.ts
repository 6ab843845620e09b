/**
 * Headless Debian Chromium driven over the Chrome DevTools Protocol (a WebSocket from undici; no browser
 * download, no driver). It records what proves a page self-contained and clean: every console call and
 * log entry, every uncaught exception, and every request the page makes (`Network.requestWillBeSent`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { WebSocket } from 'undici';

/** The chromium binary on PATH (Debian's package installs /usr/bin/chromium), or undefined. */
export const CHROMIUM = (process.env['PATH'] ?? '')
  .split(delimiter)
  .map((d) => join(d, 'chromium'))
  .find((p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

export interface PageEvents {
  console: { type: string; text: string }[];
  log: { level: string; source: string; text: string; url?: string }[];
  exceptions: string[];
  requests: { url: string; type?: string }[];
}

interface Pending {
  resolve: (v: Record<string, unknown>) => void;
  reject: (e: Error) => void;
}

export class Browser {
  private id = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners: ((method: string, params: Record<string, unknown>, sessionId?: string) => void)[] = [];

  private constructor(
    private readonly proc: ChildProcess,
    private readonly ws: WebSocket,
    private readonly profile: string,
  ) {
    ws.addEventListener('message', (ev) => {
      const msg = JSON.parse(String(ev.data)) as {
        id?: number;
        result?: Record<string, unknown>;
        error?: { message: string };
        method?: string;
        params?: Record<string, unknown>;
        sessionId?: string;
      };
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(`CDP: ${msg.error.message}`));
        else p?.resolve(msg.result ?? {});
      } else if (msg.method) for (const l of this.listeners) l(msg.method, msg.params ?? {}, msg.sessionId);
    });
  }

  static async launch(): Promise<Browser> {
    if (!CHROMIUM) throw new Error('chromium is not on PATH');
    const profile = mkdtempSync(join(tmpdir(), 'cc-chromium-'));
    const proc = spawn(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
        `--user-data-dir=${profile}`,
        '--remote-debugging-address=127.0.0.1',
        '--remote-debugging-port=0',
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const url = await new Promise<string>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`chromium did not open its DevTools port: ${err.slice(-500)}`)), 30_000);
      proc.stderr!.on('data', (b: Buffer) => {
        err += b.toString();
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      proc.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`chromium exited (${code}): ${err.slice(-500)}`));
      });
    });
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve());
      ws.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)));
    });
    return new Browser(proc, ws, profile);
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = ++this.id;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  /** A fresh tab with console, log, runtime and network events recorded from before the navigation. */
  async open(url: string, size = { width: 1400, height: 1800 }): Promise<Page> {
    const { targetId } = (await this.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
    const { sessionId } = (await this.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    const events: PageEvents = { console: [], log: [], exceptions: [], requests: [] };
    let loaded: () => void = () => {};
    const load = new Promise<void>((resolve) => {
      loaded = resolve;
    });
    this.listeners.push((method, p, sid) => {
      if (sid !== sessionId) return;
      if (method === 'Runtime.consoleAPICalled')
        events.console.push({
          type: String(p['type']),
          text: ((p['args'] as { value?: unknown; description?: string }[]) ?? []).map((a) => String(a.value ?? a.description)).join(' '),
        });
      else if (method === 'Log.entryAdded') {
        const e = p['entry'] as { level: string; source: string; text: string; url?: string };
        events.log.push({ level: e.level, source: e.source, text: e.text, ...(e.url ? { url: e.url } : {}) });
      } else if (method === 'Runtime.exceptionThrown') {
        const d = p['exceptionDetails'] as { text: string; exception?: { description?: string } };
        events.exceptions.push(`${d.text} ${d.exception?.description ?? ''}`.trim());
      } else if (method === 'Network.requestWillBeSent') {
        const r = p['request'] as { url: string };
        events.requests.push({ url: r.url, ...(p['type'] ? { type: String(p['type']) } : {}) });
      } else if (method === 'Page.loadEventFired') loaded();
    });
    for (const domain of ['Runtime', 'Log', 'Network', 'Page']) await this.send(`${domain}.enable`, {}, sessionId);
    await this.send('Emulation.setDeviceMetricsOverride', { ...size, deviceScaleFactor: 1, mobile: false }, sessionId);
    await this.send('Page.navigate', { url }, sessionId);
    await load;
    return new Page(this, sessionId, events);
  }

  async close(): Promise<void> {
    try {
      await Promise.race([this.send('Browser.close'), new Promise((r) => setTimeout(r, 5000))]);
    } catch {
      // the browser may close the socket before it answers
    }
    this.ws.close();
    if (this.proc.exitCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.proc.kill('SIGKILL');
          resolve();
        }, 5000);
        this.proc.on('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    rmSync(this.profile, { recursive: true, force: true });
  }
}

export class Page {
  constructor(
    private readonly browser: Browser,
    private readonly sessionId: string,
    readonly events: PageEvents,
  ) {}

  /** Evaluates `expression` in the page and returns its value (JSON-serialisable values only). */
  async eval<T>(expression: string): Promise<T> {
    const r = (await this.browser.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, this.sessionId)) as {
      result: { value?: T };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    };
    if (r.exceptionDetails) throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  /** A PNG of the page, the whole document when `full`. */
  async screenshot(full = false): Promise<Buffer> {
    const r = (await this.browser.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: full }, this.sessionId)) as {
      data: string;
    };
    return Buffer.from(r.data, 'base64');
  }
}
