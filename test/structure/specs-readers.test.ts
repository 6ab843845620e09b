/**
 * A fresh clone has no provider documents, so only the document-comparison tests may read them (and
 * they skip without them). This proves the fresh-clone case on every run without a second checkout:
 * it fails when any other test, suite or source file reads the documents' folder, through the one
 * helper (test/helpers/seeds.ts) or by a path of its own. The folder is `CARD_CONFORMANCE_SPECS`.
 */
import { describe, expect, it } from 'vitest';
import { readSource, sourceFiles } from './files.ts';

/** The tests whose purpose is comparing the data with the documents. */
const DOCUMENT_TESTS = [
  'test/cli/rules.test.ts',
  'test/fixtures/fixtures.test.ts',
  'test/schemas/derive.test.ts',
  'test/spec/catalogue.test.ts',
];
/** The helper that reads the folder, and the module naming the variable and its default (it reads nothing). */
const HELPERS = ['test/helpers/seeds.ts', 'test/helpers/specs-variable.ts'];

// Built, not written: this file names the folder only to look for it.
const FOLDER = ['shared', 'specs'].join('/');
const VARIABLE = ['CARD', 'CONFORMANCE', 'SPECS'].join('_');

/** Why a file counts as reading the documents, or undefined. */
function readsDocuments(source: string): string | undefined {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  if (/from\s+['"][^'"]*helpers\/seeds\.ts['"]/.test(text)) return 'imports test/helpers/seeds.ts';
  const literal = new RegExp(`['"\`][^'"\`\\n]*${FOLDER.replace('/', '\\/')}`);
  if (literal.test(text)) return `names the ${FOLDER} folder in a string`;
  return undefined;
}

const files = sourceFiles(['src', 'test', 'suites', 'properties', 'contracts', 'bench', 'bin']);
const readers = files.filter((f) => readsDocuments(readSource(f)) !== undefined);

describe(`only the document-comparison tests read the provider documents (${VARIABLE})`, () => {
  it('the scan recognises a reader (positive case first)', () => {
    const seedsImport = `import { readSpec } from '${['..', 'helpers', 'seeds.ts'].join('/')}';`;
    expect(readsDocuments(seedsImport)).toBe('imports test/helpers/seeds.ts');
    expect(readsDocuments(`/** the row's own words (${FOLDER}/x.txt) */`)).toBeUndefined();
    expect(readsDocuments(`const dir = new URL('../../../${FOLDER}/vectors/', import.meta.url);`)).toBeDefined();
    expect(readsDocuments("import { examples } from '../helpers/fixtures.ts';")).toBeUndefined();
    expect(files.length).toBeGreaterThan(80);
    for (const f of [...DOCUMENT_TESTS, HELPERS[1]!]) expect(readers, f).toContain(f);
  });

  it('no other test, suite or source file reads them', () => {
    expect(readers.filter((f) => !DOCUMENT_TESTS.includes(f) && !HELPERS.includes(f))).toEqual([]);
  });

  it(`a test or suite file that mentions ${FOLDER} also names ${VARIABLE}`, () => {
    const mentioning = files.filter((f) => /^(test|suites)\//.test(f) && readSource(f).includes(FOLDER));
    expect(mentioning).toContain('test/helpers/seeds.ts');
    expect(mentioning.filter((f) => !readSource(f).includes(VARIABLE))).toEqual([]);
  });
});
