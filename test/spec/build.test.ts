import { describe, expect, it } from 'vitest';
import { specVersions } from '../../contracts/index.ts';
import { buildCatalogue, checkShippedData } from '../../src/spec/build.ts';
import { catalogueOf, SpecError } from '../../src/spec/catalogue.ts';

/** A catalogue's content, without its functions. */
const content = (c: ReturnType<typeof catalogueOf>) => JSON.parse(JSON.stringify({ ...c, byId: [...c.byId] }));

describe('the shipped data, checked once by the build and then read as it is', () => {
  it('every shipped module and version matches its schema', () => {
    expect(() => checkShippedData()).not.toThrow();
  });

  it('read as it is, it gives the very catalogue the checked reading gives, for the seeds and every version', () => {
    expect(content(catalogueOf([]))).toEqual(content(buildCatalogue()));
    for (const v of specVersions)
      expect(content(catalogueOf([v.data.version]))).toEqual(content(buildCatalogue(undefined, undefined, [v])));
  });

  it('data from anywhere else is checked: a bad row is one line naming the module and the row', () => {
    const bad = [{ module: 'contracts/x/op.ts', kind: 'operation' as const, data: { provider: 'gep', operation: 'apply', request: 'no' } }];
    expect(() => buildCatalogue(bad)).toThrow(SpecError);
    expect(() => buildCatalogue(bad)).toThrow(/^contracts\/x\/op\.ts: /);
  });
});
