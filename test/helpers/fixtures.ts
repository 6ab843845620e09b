/**
 * Request and answer examples kept in the repository (test/fixtures/examples): the providers' own
 * examples with the card number, CVV and token replaced by well-known test values (each file's `note`
 * says what changed; test/fixtures/fixtures.test.ts checks the rest against the documents when they are
 * present). Each call returns a fresh copy.
 */
import { readFileSync } from 'node:fs';

const FIXTURES = new URL('../fixtures/', import.meta.url);

export const readFixture = <T>(path: string): T => JSON.parse(readFileSync(new URL(path, FIXTURES), 'utf8')) as T;

type Json = Record<string, unknown>;
const alchemyCreate = () => readFixture<{ request: Json; response: Json }>('examples/alchemy-create.json');
const gepApply = () => readFixture<{ dataContent: Json; result: Json }>('examples/gep-apply.json');

export const examples = {
  alchemyCreateRequest: (): Json => alchemyCreate().request,
  alchemyCreateResponse: (): Json => alchemyCreate().response,
  gepApplyRequest: (): Json => gepApply().dataContent,
  gepApplyResult: (): Json => gepApply().result,
};
