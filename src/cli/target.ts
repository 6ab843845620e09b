/**
 * Which provider the `call` command (and later `run`) talks to: `--base-url` first, then
 * `<PROVIDER>_BASE_URL`. With neither, the embedded mock will be started here (issue 4); until then it
 * is a configuration error.
 */
import { baseUrlVariable, type Config, completeTarget, type ProviderConfig, type ProviderConfigs, parseHttpUrl, type Targets } from '../config/env.ts';
import type { Provider } from '../spec/registry.ts';
import { ConfigError } from '../wire/errors.ts';

export async function resolveTarget<P extends Provider>(provider: P, config: Config, baseUrlFlag?: string): Promise<Targets[P]> {
  const configs: ProviderConfigs = config;
  const section: ProviderConfig<P> = configs[provider];
  if (baseUrlFlag !== undefined) {
    const baseUrl = parseHttpUrl('--base-url', baseUrlFlag);
    return completeTarget(provider, section.credentials, baseUrl, '--base-url is given');
  }
  if (section.target) return section.target;
  throw new ConfigError(baseUrlVariable(provider), 'not set: pass --base-url or set it (the embedded mock is not available yet)');
}
