/**
 * `card-conformance export openapi|json-schema [--provider P] [--schema-mode M] [--out FILE]
 * [--spec-version NAME]...`: the catalogue as an OpenAPI 3.1 document or a JSON Schema 2020-12 document,
 * for the tools that read those (mock servers, fuzzers, code generators). Written to stdout, or atomically
 * to FILE (a temporary file beside it, renamed): never half a document.
 */
import { existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEFAULT_SCHEMA_MODE } from '../conformance/settings.ts';
import { jsonSchemaDocument } from '../schemas/json-schema.ts';
import { openApiDocument } from '../schemas/openapi.ts';
import { catalogue } from '../spec/catalogue.ts';
import { PROVIDERS, SCHEMA_MODES } from '../spec/registry.ts';
import { EXIT } from '../wire/errors.ts';
import { type CommandSpec, helpText, oneOf, parse, SPEC_VERSION_OPTION, UsageError, useSpecVersions } from './args.ts';

const PROVIDER_CHOICES = [...PROVIDERS, 'all'] as const;
const ALL = 'all' satisfies (typeof PROVIDER_CHOICES)[number];
const FORMATS = ['openapi', 'json-schema'] as const;

export const EXPORT = {
  name: 'export',
  positionals: FORMATS.join('|'),
  summary: [
    'write the rule catalogue as an OpenAPI 3.1 or a JSON Schema 2020-12 document',
    'every property lists its rule ids in x-rule-ids; a rule JSON Schema cannot express is listed there as not',
    "expressible, with why; GEP's RSA form envelope is the x-gep-envelope extension, Alchemy's signature headers a",
    'security scheme',
  ].join('\n'),
  options: {
    provider: { type: 'string', arg: PROVIDER_CHOICES.join('|'), default: ALL, help: 'which provider to describe' },
    'schema-mode': {
      type: 'string',
      arg: SCHEMA_MODES.join('|'),
      default: DEFAULT_SCHEMA_MODE,
      help: "strict: the tables' types and only tabled fields; lenient: what the documents' examples send",
    },
    out: { type: 'string', arg: 'FILE', default: 'stdout', help: 'write the document to FILE (atomically)' },
    ...SPEC_VERSION_OPTION,
  },
  exits: [
    [EXIT.ok, 'the document was written'],
    [EXIT.usage, 'usage error, an unknown version, an unwritable FILE, or the rule data is invalid'],
  ],
  example: 'card-conformance export openapi --provider alchemy --schema-mode strict --out alchemy.openapi.json',
} as const satisfies CommandSpec;

/** `text` to `path`, whole or not at all: a temporary file beside it, then a rename. */
export function writeAtomically(path: string, text: string): void {
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--out ${path}: the folder ${dir} does not exist`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new UsageError(`--out ${path} is a directory`);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch {
    rmSync(tmp, { force: true });
    throw new UsageError(`--out ${path} cannot be written`);
  }
}

export function exportCommand(argv: string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, EXPORT);
  if (values.help) {
    out(helpText(EXPORT));
    return EXIT.ok;
  }
  useSpecVersions(values['spec-version']);
  const [format, ...extra] = positionals;
  if (format === undefined || extra.length > 0) throw new UsageError(`export takes one format: ${FORMATS.join(' or ')}`);
  const kind = oneOf('format', format, FORMATS, 'openapi');
  const provider = oneOf('provider', values.provider, PROVIDER_CHOICES, ALL);
  const mode = oneOf('schema-mode', values['schema-mode'], SCHEMA_MODES, DEFAULT_SCHEMA_MODE);
  const providers = provider === ALL ? [...PROVIDERS] : [provider];
  const cat = catalogue();
  const doc =
    kind === 'openapi' ? openApiDocument(providers, { mode, catalogue: cat }) : jsonSchemaDocument(providers, { mode, catalogue: cat });
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  if (values.out === undefined) out(text);
  else {
    const path = resolve(values.out);
    writeAtomically(path, text);
    out(
      `card-conformance export: ${kind} of ${providers.join(' + ')} (${providers.map((p) => cat.versions[p]).join(', ')}; ${mode}) written to ${path}\n`,
    );
  }
  return EXIT.ok;
}
