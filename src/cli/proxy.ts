/**
 * `card-conformance proxy --provider alchemy|gep --target URL [--port N] [--log]`: the codec proxy in the
 * foreground. Plaintext in (the business JSON; GEP's `dataContent` as the JSON body), signed or sealed
 * out with the configured keys, the answer back in plaintext (GEP's `result` opened). Listens on
 * 127.0.0.1 only. `--log` prints every exchange, redacted.
 */
import { completeTarget, loadConfig, parseHttpUrl, type Targets } from '../config/env.ts';
import { guardUrl } from '../config/target-kind.ts';
import { startCodecProxy } from '../pact/proxy.ts';
import { PROVIDERS, type Provider } from '../spec/registry.ts';
import { EXIT } from '../wire/errors.ts';
import { createRedactor } from '../wire/redact.ts';
import { type CommandSpec, helpText, parse, SPEC_VERSION_OPTION, UsageError, useSpecVersions } from './args.ts';
import { kindLabel, TARGET_OPTIONS, targetRequest } from './target.ts';

export const PROXY = {
  name: 'proxy',
  positionals: '',
  summary: [
    'run the codec proxy: plaintext JSON in, signed (Alchemy) or sealed (GEP) requests out, answers decoded back',
    "the keys are the provider's configured credentials (ALCHEMY_* / GEP_*); what verify-pacts puts in front of a target,",
    'and a way to watch a sandbox in clear text (--log); listens on 127.0.0.1 only (Ctrl-C stops it)',
  ].join('\n'),
  options: {
    ...SPEC_VERSION_OPTION,
    provider: { type: 'string', arg: PROVIDERS.join('|'), help: 'which provider the target speaks (required)' },
    target: { type: 'string', arg: 'URL', help: 'the provider base URL to forward to (required)' },
    port: { type: 'string', arg: 'N', default: 0, help: 'port on 127.0.0.1 (0: any free port)' },
    log: { type: 'boolean', help: 'print every exchange, redacted' },
    'allow-production': TARGET_OPTIONS['allow-production'],
  },
  exits: [
    [EXIT.ok, 'stopped by SIGINT/SIGTERM'],
    [EXIT.usage, 'usage or configuration error (missing credentials for the provider)'],
  ],
  example: 'card-conformance proxy --provider gep --target https://member-test-api.gepholding.com --port 4020 --log',
} as const satisfies CommandSpec;

export async function proxyCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, PROXY);
  if (values.help) {
    out(helpText(PROXY));
    return EXIT.ok;
  }
  useSpecVersions(values['spec-version']);
  if (positionals.length) throw new UsageError(`proxy takes no arguments (got "${positionals[0]}")`);
  if (values.provider === undefined) throw new UsageError(`--provider is required (${PROVIDERS.join(' or ')})`);
  if (!(PROVIDERS as readonly string[]).includes(values.provider))
    throw new UsageError(`--provider must be one of ${PROVIDERS.join(', ')} (got "${values.provider}")`);
  const provider = values.provider as Provider;
  if (values.target === undefined) throw new UsageError('--target URL is required');
  const url = parseHttpUrl('--target', values.target);
  const port = Number(values.port ?? PROXY.options.port.default);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be a whole number from 0 to 65535 (got "${values.port}")`);
  // the same production guard as run, call and verify-pacts (its --target is the URL itself)
  const kind = guardUrl(
    url,
    '--target',
    process.env,
    targetRequest({ 'allow-production': values['allow-production'] }, process.env).allowProduction,
  );
  const config = loadConfig(process.env);
  const target = completeTarget(provider, config[provider].credentials as never, url, '--target is given') as Targets[Provider];
  const redactor = createRedactor({ secrets: config.secrets });
  const proxy = await startCodecProxy({
    provider,
    target: target as never,
    limits: config.limits,
    redactor,
    port,
    ...(values.log ? { log: out } : {}),
  });
  out(`card-conformance proxy: ${provider} plaintext on ${proxy.url} → ${kindLabel(kind)} ${redactor.text(url)}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await proxy.close();
  return EXIT.ok;
}
