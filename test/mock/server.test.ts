/**
 * The mock's body limit over real HTTP on 127.0.0.1: a body over the limit is answered (413, one-line
 * JSON, Connection: close) instead of cutting the client off mid-upload, and the mock keeps serving.
 */
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlchemyClient } from '../../src/client/alchemy.ts';
import { MOCK_DEFAULTS, type RunningMock, startMock } from '../../src/mock/server.ts';
import { newTransport } from './support.ts';

const LIMIT = 4096;
let mock: RunningMock;
beforeAll(async () => {
  mock = await startMock({ maxBodyBytes: LIMIT });
});
afterAll(async () => {
  await mock.close();
});

/** One request on a connection of its own; the agent is closed afterwards. */
async function post(body: Buffer | Readable, headers: Record<string, string> = {}) {
  const dispatcher = new Agent({ connections: 1 });
  try {
    const res = await request(`${mock.url}/open/api/card/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      dispatcher,
    });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  } finally {
    await dispatcher.close();
  }
}

/** A signed, valid call through the typed client, on a fresh transport (a new connection). */
async function segmentList() {
  const transport = newTransport();
  try {
    const client = createAlchemyClient({ baseUrl: mock.url, ...mock.client.alchemy }, { transport, retries: 0 });
    return await client.segmentList();
  } finally {
    await transport.close();
  }
}

describe('mock body limit', () => {
  it('a valid request is served (positive case first), and the default limit is 1 MiB', async () => {
    const r = await segmentList();
    expect(r.status).toBe(200);
    expect((r.body as { success: boolean }).success).toBe(true);
    expect(MOCK_DEFAULTS.maxBodyBytes).toBe(1024 * 1024);
  });

  it('a body of exactly the limit is read and judged, not refused as too large', async () => {
    const r = await post(Buffer.alloc(LIMIT, 0x20));
    // read whole and judged: blanks are no JSON, refused in the provider's envelope with its field-rule code
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toMatchObject({ success: false, error: true, code: '1002', msg: 'the body is not JSON' });
  });

  it('a body over the limit (Content-Length) → 413 with a one-line JSON message and Connection: close; then a new connection succeeds', async () => {
    const r = await post(Buffer.alloc(8 * 1024 * 1024, 0x20));
    expect(r.status).toBe(413);
    expect(r.headers['connection']).toBe('close');
    expect(r.text).not.toContain('\n');
    expect(JSON.parse(r.text)).toEqual({ error: `request body over ${LIMIT} bytes` });
    const after = await segmentList();
    expect(after.status).toBe(200);
    expect((after.body as { success: boolean }).success).toBe(true);
  });

  it('a chunked body (no Content-Length) that grows over the limit → the same 413; the mock keeps serving', async () => {
    const chunks = Array.from({ length: 128 }, () => Buffer.alloc(64 * 1024, 0x20));
    const r = await post(Readable.from(chunks));
    expect(r.status).toBe(413);
    expect(r.headers['connection']).toBe('close');
    expect(JSON.parse(r.text)).toEqual({ error: `request body over ${LIMIT} bytes` });
    expect((await segmentList()).status).toBe(200);
  });

  it('a client that writes the whole body before reading gets the 413, not a broken pipe (EPIPE)', async () => {
    // undici reads an early answer even when the upload is cut; node's own client reported the cut as
    // `write EPIPE` after the 413, which is what a user of the old mock saw. Both talk to 127.0.0.1.
    const size = 8 * 1024 * 1024;
    const events: string[] = [];
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${mock.url}/open/api/card/create`, { method: 'POST', headers: { 'content-length': size } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () => {
          events.push(`${res.statusCode} ${body}`);
          setTimeout(resolve, 50); // a late error would arrive here
        });
      });
      req.on('error', (e) => {
        events.push(`error ${e.message}`);
        resolve();
      });
      req.end(Buffer.alloc(size, 0x20));
    });
    expect(events).toEqual([`413 {"error":"request body over ${LIMIT} bytes"}`]);
    expect((await segmentList()).status).toBe(200);
  });
});
