/**
 * The providers' documents in ../shared/specs, read as they are: the examples are taken from the
 * originals here rather than copied into the data, so a test that "accepts the seed's example" accepts
 * the document's own bytes.
 */
import { readFileSync } from 'node:fs';

export const SPECS = new URL('../../../shared/specs/', import.meta.url);
export const readSpec = (name: string): string => readFileSync(new URL(name, SPECS), 'utf8');

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

export const seeds = {
  alchemyCreateRequest: () => exampleAfter('alchemy-card-create.original.txt', 'Request example'),
  alchemyCreateResponse: () => exampleAfter('alchemy-card-create.original.txt', 'Return example'),
  gepApplyRequest: () => exampleAfter('gep-card-apply.original.txt', 'dataContent示例'),
  gepApplyResult: () => exampleAfter('gep-card-apply.original.txt', 'result示例'),
};

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
