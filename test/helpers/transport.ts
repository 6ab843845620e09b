/** The transport the client tests share: tight deadlines and a small body cap, loopback only. */
import { createTransport } from '../../src/wire/http.ts';

export const testTransport = () =>
  createTransport({
    connectTimeoutMs: 2_000,
    headersTimeoutMs: 10_000,
    bodyTimeoutMs: 10_000,
    maxBodyBytes: 64 * 1024,
    callTimeoutMs: 10_000,
  });
