/** GEP — the published versions of the apply page: the seed only (gep-card-apply.original.txt). */
import type { SpecVersion } from '../../src/spec/types.ts';

export default [
  {
    version: 'gep',
    provider: 'gep',
    title: 'the seed: gep-card-apply.original.txt',
    source: { doc: 'gep-card-apply.original.txt', text: '加密数据dataContent' },
  },
] satisfies SpecVersion[] as SpecVersion[];
