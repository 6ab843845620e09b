/** The provider data modules, by provider and operation. Add a module here and the catalogue grows. */
import alchemyCreate from './alchemy/create.ts';
import alchemy from './alchemy/provider.ts';
import alchemyVersions from './alchemy/versions.ts';
import gepApply from './gep/apply.ts';
import gep from './gep/provider.ts';
import gepVersions from './gep/versions.ts';

export const dataModules = [
  { module: 'contracts/alchemy/provider.ts', kind: 'profile', data: alchemy },
  { module: 'contracts/alchemy/create.ts', kind: 'operation', data: alchemyCreate },
  { module: 'contracts/gep/provider.ts', kind: 'profile', data: gep },
  { module: 'contracts/gep/apply.ts', kind: 'operation', data: gepApply },
] as const;

/** The published versions of each provider's document; the first of each provider is the seed (the default). */
export const specVersions = [
  ...alchemyVersions.map((data) => ({ module: 'contracts/alchemy/versions.ts', data })),
  ...gepVersions.map((data) => ({ module: 'contracts/gep/versions.ts', data })),
] as const;
