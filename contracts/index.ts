/** The provider data modules, by provider and operation. Add a module here and the catalogue grows. */
import alchemyCreate from './alchemy/create.ts';
import alchemy from './alchemy/provider.ts';
import gepApply from './gep/apply.ts';
import gep from './gep/provider.ts';

export const dataModules = [
  { module: 'contracts/alchemy/provider.ts', kind: 'profile', data: alchemy },
  { module: 'contracts/alchemy/create.ts', kind: 'operation', data: alchemyCreate },
  { module: 'contracts/gep/provider.ts', kind: 'profile', data: gep },
  { module: 'contracts/gep/apply.ts', kind: 'operation', data: gepApply },
] as const;
