/** One mapping from error to exit code: each error class carries its code, `exitCodeOf` reads it. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.ts';
import { ConfigError } from '../../src/config/errors.ts';
import { DeviationError } from '../../src/mock/deviations.ts';
import { SpecError } from '../../src/spec/catalogue.ts';
import { CardConformanceError, EXIT, exitCodeOf, KeyError, WireError, WireFormatError } from '../../src/wire/errors.ts';

const call = { provider: 'alchemy', operation: 'create', url: 'http://127.0.0.1:9/open/api/card/create' };

describe('exit codes', () => {
  it("are the README's: 0 conformant, 1 a rule failed, 2 usage or configuration, 3 the target could not be tested", () => {
    expect(EXIT).toEqual({ ok: 0, failed: 1, usage: 2, untestable: 3 });
  });

  it('usage, configuration, key, spec and deviation errors end with 2', () => {
    const errors = [
      new UsageError('--x is wrong'),
      new ConfigError('ALCHEMY_BASE_URL', 'is not an http(s) URL'),
      new KeyError('private', 'inline text', 'not a key'),
      new SpecError('bad data'),
      new DeviationError('no such deviation'),
      new WireError(call, 'config', 'the URL is not an absolute http(s) URL'),
    ];
    for (const e of errors) {
      expect(e, e.name).toBeInstanceOf(CardConformanceError);
      expect(exitCodeOf(e), e.name).toBe(EXIT.usage);
    }
  });

  it('a target that cannot be reached or answers garbage at the transport ends with 3', () => {
    for (const kind of ['connect', 'timeout', 'tls', 'reset', 'http-status', 'too-large'] as const)
      expect(exitCodeOf(new WireError(call, kind, 'x')), kind).toBe(EXIT.untestable);
  });

  it('an unreadable answer and anything unexpected end with 1', () => {
    expect(exitCodeOf(new WireFormatError('decrypt', 'chunk 2 of 3'))).toBe(EXIT.failed);
    expect(exitCodeOf(new Error('boom'))).toBe(EXIT.failed);
    expect(exitCodeOf('a string')).toBe(EXIT.failed);
  });
});
