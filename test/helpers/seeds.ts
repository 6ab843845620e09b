/**
 * The providers' documents (`CARD_CONFORMANCE_SPECS`, default `../shared/specs` beside the repository),
 * read as they are. This is the one module that reads that folder, and only the document-comparison
 * tests import it: every quoted source verbatim, every table row covered, the documents' own examples
 * accepted, the fixtures still the documents' examples. Every other test uses test/fixtures.
 *
 * A fresh clone has no documents: those tests are then skipped, with `specs.note` in their name saying
 * why (`describe.skipIf(!specs.available)(\`… ${specs.note}\`, …)`). Nothing here reads the folder when
 * a test is collected, only when it runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseDotenv } from 'dotenv';
import { DEFAULT_SPECS, SPECS_VARIABLE } from './specs-variable.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The environment first, then the repository's `.env`, then the default; a relative path is taken from the repository root. */
function specsDir(): string {
  const dotenvFile = join(ROOT, '.env');
  const fromDotenv = existsSync(dotenvFile) ? parseDotenv(readFileSync(dotenvFile))[SPECS_VARIABLE] : undefined;
  const given = process.env[SPECS_VARIABLE] || fromDotenv || DEFAULT_SPECS;
  return isAbsolute(given) ? given : resolve(ROOT, given);
}

const dir = specsDir();
const available = existsSync(join(dir, 'alchemy-card-create.original.txt'));

export const specs = {
  dir,
  available,
  /** For test names: where the documents came from, or why the tests are skipped. */
  note: available
    ? `(provider documents from ${SPECS_VARIABLE}=${dir})`
    : `(skipped: no provider documents at ${SPECS_VARIABLE}=${dir}; set ${SPECS_VARIABLE} to the folder to run these)`,
};

// Said once per test file that needs the documents, so that a default (non-verbose) run shows it too.
if (!available) console.warn(`card-conformance tests: document-comparison tests skipped ${specs.note}`);

export const readSpec = (name: string): string => readFileSync(join(dir, name), 'utf8');

/** The first balanced JSON object after `marker` in a document. */
export function exampleAfter(doc: string, marker: string): Record<string, unknown> {
  const text = readSpec(doc);
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`${doc}: no "${marker}"`);
  const start = text.indexOf('{', at);
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) return JSON.parse(text.slice(start, i + 1));
  }
  throw new Error(`${doc}: unbalanced example after "${marker}"`);
}

/** The documents' own examples (with their own card number, CVV and token: never copied into the repository). */
export const documentExamples = {
  alchemyCreateRequest: () => exampleAfter('alchemy-card-create.original.txt', 'Request example'),
  alchemyCreateResponse: () => exampleAfter('alchemy-card-create.original.txt', 'Return example'),
  gepApplyRequest: () => exampleAfter('gep-card-apply.original.txt', 'dataContent示例'),
  gepApplyResult: () => exampleAfter('gep-card-apply.original.txt', 'result示例'),
};

/** A shared vector file (`vectors/<name>`), parsed. */
export const readSpecJson = (name: string): unknown => JSON.parse(readSpec(name));

/** Field names of the four tables, read from the documents independently of the data modules. */
export function tableFields() {
  const alchemy = readSpec('alchemy-card-create.original.txt');
  const [reqPart = '', rest = ''] = alchemy.split('Return parameter description');
  const alchemyRequest = [...reqPart.matchAll(/^\s*\+?└?([a-zA-Z]+?)(?:Yes|No)(?:string|object|String)/gm)].map((m) => m[1]!);
  const alchemyResponse = [...rest.matchAll(/^([a-zA-Z]+?)(?:boolean|long|string|object)[A-Za-z]/gm)].map((m) => m[1]!);
  const gep = readSpec('gep-card-apply.original.txt');
  const [gReq = '', gRes = ''] = gep.split('响应参数');
  const row = /^\d\d\. \| [^|]+ \| ([a-zA-Z]+) \|/gm;
  return {
    alchemyRequest,
    alchemyResponse,
    gepRequest: [...gReq.matchAll(row)].map((m) => m[1]!),
    gepResult: [...gRes.matchAll(row)].map((m) => m[1]!),
  };
}
