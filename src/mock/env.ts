/**
 * The mock's side of the keys from the environment (MOCK_*), so any independent client can be pointed
 * at it. PEM text or a path, as for the client's own keys. A bad value is one line naming the variable.
 */

import { ConfigError } from '../config/errors.ts';
import { loadPrivateKey, loadPublicKey } from '../wire/keys.ts';
import type { MockOptions } from './server.ts';

export const MOCK_VARIABLES = [
  'MOCK_ALCHEMY_ACCESS_KEY',
  'MOCK_ALCHEMY_SECRET_KEY',
  'MOCK_GEP_USER_NO',
  'MOCK_GEP_MERCHANT_PUBLIC_KEY',
  'MOCK_GEP_PLATFORM_PRIVATE_KEY',
] as const;

export function mockKeysFromEnv(env: NodeJS.ProcessEnv): MockOptions['keys'] {
  const keys: NonNullable<MockOptions['keys']> = {};
  const ak = env['MOCK_ALCHEMY_ACCESS_KEY'];
  const sk = env['MOCK_ALCHEMY_SECRET_KEY'];
  if (ak || sk) {
    if (!ak || !sk)
      throw new ConfigError(
        ak ? 'MOCK_ALCHEMY_SECRET_KEY' : 'MOCK_ALCHEMY_ACCESS_KEY',
        'must be set together with the other MOCK_ALCHEMY_* key',
      );
    keys.alchemy = { accessKey: ak, secretKey: sk };
  }
  const userNo = env['MOCK_GEP_USER_NO'];
  const pub = env['MOCK_GEP_MERCHANT_PUBLIC_KEY'];
  const priv = env['MOCK_GEP_PLATFORM_PRIVATE_KEY'];
  if (userNo || pub || priv) {
    if (!userNo || !pub || !priv) {
      const missing = !userNo ? 'MOCK_GEP_USER_NO' : !pub ? 'MOCK_GEP_MERCHANT_PUBLIC_KEY' : 'MOCK_GEP_PLATFORM_PRIVATE_KEY';
      throw new ConfigError(missing, 'must be set together with the other MOCK_GEP_* variables');
    }
    keys.gep = { userNo, merchantPublicKey: loadPublicKey(pub), platformPrivateKey: loadPrivateKey(priv) };
  }
  return keys;
}
