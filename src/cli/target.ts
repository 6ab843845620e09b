/**
 * Which provider the `call` command talks to: `--base-url` first, then `<PROVIDER>_BASE_URL`. With
 * neither, the embedded mock is started for the call and the target points at it: with the keys of
 * `MOCK_*` when they are set (then the client's own `ALCHEMY_*` / `GEP_*` credentials must match them),
 * otherwise with the client half of the keys the mock generated. The caller closes it with `close()`.
 */
import {
  baseUrlVariable,
  type Config,
  completeTarget,
  type ProviderConfig,
  type ProviderConfigs,
  parseHttpUrl,
  type Targets,
} from '../config/env.ts';
import {
  allowProduction,
  EMBEDDED_TIME_SCALE,
  kindLabel,
  TARGET_CHOICES,
  TARGET_VARIABLES,
  type TargetKind,
  type TargetRequest,
  targetChoice,
  targetKinds,
} from '../config/target-kind.ts';
import { mockKeysFromEnv } from '../mock/env.ts';
import { startMock } from '../mock/server.ts';
import type { Provider } from '../spec/registry.ts';
import type { OptionSpec } from './args.ts';

/** `--target mock|sandbox` and `--allow-production`, as run, call and verify-pacts take them. */
export const TARGET_OPTIONS = {
  target: {
    type: 'string',
    arg: TARGET_CHOICES.join('|'),
    default: 'unset: a base URL where one is set, else the embedded mock',
    help: `sandbox: a provider without a base URL or keys is an error, never the mock (or ${TARGET_VARIABLES.target})`,
  },
  'allow-production': {
    type: 'boolean',
    help: `let a base URL on a production host through (or ${TARGET_VARIABLES.allowProduction}=1; hosts: profiles + ${TARGET_VARIABLES.productionHosts})`,
  },
} as const satisfies Record<string, OptionSpec>;

/** What the flags (winning) and the environment ask of the target. */
export function targetRequest(
  values: { target?: string | undefined; 'allow-production'?: boolean | undefined },
  env: NodeJS.ProcessEnv,
  urlSource?: string,
): TargetRequest {
  return {
    choice: targetChoice(env, values.target),
    allowProduction: allowProduction(env, values['allow-production']),
    ...(urlSource ? { urlSource } : {}),
  };
}

export { EMBEDDED_TIME_SCALE, kindLabel, type TargetKind, type TargetRequest };

export interface ResolvedTarget<P extends Provider> {
  target: Targets[P];
  kind: TargetKind;
  /** The embedded mock's URL, when no base URL was configured and it was started for this call. */
  embedded?: string;
  /** Stops the embedded mock, if one was started; nothing otherwise. */
  close(): Promise<void>;
}

const nothing = async () => {};

export async function resolveTarget<P extends Provider>(
  provider: P,
  config: Config,
  baseUrlFlag?: string,
  env: NodeJS.ProcessEnv = process.env,
  req: TargetRequest = targetRequest({}, env),
): Promise<ResolvedTarget<P>> {
  const configs: ProviderConfigs = config;
  const section: ProviderConfig<P> = configs[provider];
  if (baseUrlFlag !== undefined) {
    const baseUrl = parseHttpUrl('--base-url', baseUrlFlag);
    const kind = targetKinds([provider], { [provider]: baseUrl } as Partial<Record<P, string>>, env, { ...req, urlSource: '--base-url' })[
      provider
    ];
    return { target: completeTarget(provider, section.credentials, baseUrl, '--base-url is given'), kind, close: nothing };
  }
  const kind = targetKinds([provider], { [provider]: section.target?.baseUrl } as Partial<Record<P, string>>, env, req)[provider];
  if (section.target) return { target: section.target, kind, close: nothing };
  return embeddedTarget(provider, section, env);
}

async function embeddedTarget<P extends Provider>(
  provider: P,
  section: ProviderConfig<P>,
  env: NodeJS.ProcessEnv,
): Promise<ResolvedTarget<P>> {
  const keys = mockKeysFromEnv(env);
  const mock = await startMock({ timeScale: EMBEDDED_TIME_SCALE, keys });
  try {
    const why = `${baseUrlVariable(provider)} is not set and MOCK_${provider.toUpperCase()}_* keys are (the embedded mock uses them)`;
    let target: Targets[P];
    if (keys?.[provider]) target = completeTarget(provider, section.credentials, mock.url, why);
    else if (provider === 'alchemy') target = { baseUrl: mock.url, ...mock.client.alchemy } as Targets[P];
    else {
      const g = mock.client.gep!;
      target = {
        baseUrl: mock.url,
        userNo: g.userNo,
        certificateId: g.certificateId,
        merchantPrivateKey: g.merchantPrivateKey,
        platformPublicKey: g.platformPublicKey,
      } as Targets[P];
    }
    return { target, kind: 'mock', embedded: mock.url, close: () => mock.close() };
  } catch (err) {
    await mock.close();
    throw err;
  }
}
