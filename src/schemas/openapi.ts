/**
 * OpenAPI 3.1 documents derived from the rule catalogue: every call of each provider's profile, the
 * tabled operations (Alchemy create, GEP apply) with the JSON Schemas of json-schema.ts and a generated
 * example that passes them, Alchemy's signature headers as a security scheme, GEP's RSA form envelope as
 * an `x-gep-envelope` extension over the decrypted payload schemas. Strict and lenient are two documents
 * (`--schema-mode`); the selected document versions are named in `info`.
 */
import fc from 'fast-check';
import { validObject } from '../../properties/generate.ts';
import { planOf } from '../../properties/plan.ts';
import { type Catalogue, catalogue as shippedCatalogue } from '../spec/catalogue.ts';
import { todayIn } from '../spec/evaluate.ts';
import type { Provider, SchemaMode } from '../spec/registry.ts';
import { type JsonSchema, sideSchema, tabledOperations } from './json-schema.ts';

export interface OpenApiOptions {
  mode: SchemaMode;
  catalogue?: Catalogue;
  /** The clock the examples' dates are drawn from (GEP's start date is today or later). */
  now?: () => Date;
  /** Seed of the generated examples. */
  seed?: number;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const HEX = '^[0-9a-fA-F]*$';
const opId = (provider: string, operation: string) => `${provider}${operation[0]!.toUpperCase()}${operation.slice(1)}`;

/** A valid request and a valid answer to it, generated from the catalogue (seeded, so the same day gives the same example). */
function examples(cat: Catalogue, provider: Provider, operation: string, opts: OpenApiOptions) {
  const profile = cat.profiles[provider];
  const g = {
    mode: opts.mode,
    today: todayIn(profile.timeZone, (opts.now ?? (() => new Date()))()),
    knownValues: { segmentList: [String(profile.wire['fallbackVid'] ?? 'USD')] },
  };
  const seed = opts.seed ?? 20241114;
  const [request] = fc.sample(validObject(planOf(provider, operation, 'request', cat), g), { numRuns: 1, seed });
  const responsePlan = planOf(provider, operation, 'response', cat);
  const [answer] = fc.sample(validObject(responsePlan, { ...g, request: request! }, { set: { success: true } }), { numRuns: 1, seed });
  // no card number or CVV in any output: the card elements that may arrive later are shown as not yet there
  for (const f of responsePlan.fields.filter((x) => x.rules.some((r) => r.mayArriveLater))) {
    const parts = f.path.split('.');
    const parent = parts.slice(0, -1).reduce<Record<string, unknown> | undefined>((o, k) => o?.[k] as Record<string, unknown>, answer);
    if (parent && parts.at(-1)! in parent) parent[parts.at(-1)!] = '';
  }
  return { request: request!, answer: answer! };
}

const ALCHEMY_SECURITY: Record<string, JsonSchema> = {
  achAccessKey: { type: 'apiKey', in: 'header', name: 'ach-access-key', description: 'the API key' },
  achAccessTimestamp: {
    type: 'apiKey',
    in: 'header',
    name: 'ach-access-timestamp',
    description: 'UTC milliseconds, 13 digits; a request outside the signature window is refused',
  },
  achAccessSign: {
    type: 'apiKey',
    in: 'header',
    name: 'ach-access-sign',
    description:
      'Base64(HMAC-SHA256(secretKey, timestamp + METHOD + requestPath + body)), the body with its keys sorted recursively and null or empty values dropped (inferred: the KYC-sharing API algorithm)',
  },
  achEmail: { type: 'apiKey', in: 'header', name: 'email', description: "the merchant account's e-mail (required)" },
};

/** The OpenAPI 3.1 document of the providers' calls. */
export function openApiDocument(providers: readonly Provider[], opts: OpenApiOptions): JsonSchema {
  const cat = opts.catalogue ?? shippedCatalogue();
  const schemas: Record<string, JsonSchema> = {};
  const paths: Record<string, JsonSchema> = {};
  const tabled = tabledOperations(cat, providers);
  for (const provider of providers) {
    const profile = cat.profiles[provider];
    const servers = [
      { url: profile.hosts.sandbox, description: `${profile.name}: sandbox` },
      { url: profile.hosts.production, description: `${profile.name}: production` },
    ];
    if (provider === 'gep') {
      const w = profile.wire;
      schemas['gep.envelope.request'] = {
        type: 'object',
        description: 'The form every GEP call sends: the business fields travel encrypted in dataContent.',
        required: ['version', 'certificateId', 'userNo', 'dataType', 'dataContent'],
        properties: {
          version: { const: String(w['version']) },
          certificateId: { type: 'string', minLength: Number(w['certificateIdLength']), maxLength: Number(w['certificateIdLength']) },
          userNo: { type: 'string', minLength: Number(w['userNoLength']), maxLength: Number(w['userNoLength']) },
          dataType: { const: String(w['dataType']) },
          dataContent: { type: 'string', maxLength: Number(w['dataContentMaxLength']), pattern: HEX },
        },
      };
      schemas['gep.envelope.response'] = {
        type: 'object',
        description: 'Every GEP answer: on success, result is hex ciphertext of the JSON result (x-gep-envelope says how to open it).',
        required: ['success'],
        properties: {
          success: { type: 'boolean' },
          errorCode: { type: ['string', 'null'] },
          errorMsg: { type: ['string', 'null'] },
          result: { type: ['string', 'null'], pattern: HEX },
        },
      };
    }
    for (const call of profile.calls) {
      const entry = tabled.find((o) => o.spec.provider === provider && o.spec.operation === call.operation);
      const name = `${provider}.${call.operation}`;
      const operation: JsonSchema = {
        operationId: opId(provider, call.operation),
        tags: [provider],
        summary: entry?.spec.title ?? `${call.operation} (${call.origin}: ${call.source})`,
        'x-origin': call.origin,
        security: provider === 'alchemy' ? [Object.fromEntries(Object.keys(ALCHEMY_SECURITY).map((k) => [k, []]))] : [],
        responses: {},
      };
      let request: JsonSchema;
      let answer: JsonSchema;
      if (entry) {
        const req = sideSchema(provider, call.operation, 'request', { mode: opts.mode, catalogue: cat });
        const res = sideSchema(provider, call.operation, 'response', { mode: opts.mode, catalogue: cat });
        const ex = examples(cat, provider, call.operation, opts);
        schemas[`${name}.request`] = { ...req.schema, examples: [ex.request] };
        schemas[`${name}.response`] = { ...res.schema, examples: [ex.answer] };
        operation['description'] =
          `${entry.spec.document}: ${entry.spec.tables.request}. Rule ids on each property (x-rule-ids); behaviour rules of the operation on the request schema's root.`;
        request = ref(`${name}.request`);
        answer = ref(`${name}.response`);
        if (provider === 'alchemy') {
          operation['requestBody'] = { required: true, content: { 'application/json': { schema: request, example: ex.request } } };
          operation['responses'] = {
            '200': {
              description: 'every answer, success or refusal (business failures come inside HTTP 200)',
              content: { 'application/json': { schema: answer, example: ex.answer } },
            },
          };
        }
      } else {
        request = { type: 'object', description: `no table in the seeds: ${call.source}` };
        answer = { type: 'object', description: `no table in the seeds: ${call.source}` };
        if (provider === 'alchemy') {
          operation['requestBody'] = { required: true, content: { 'application/json': { schema: request } } };
          operation['responses'] = { '200': { description: 'the answer envelope', content: { 'application/json': { schema: answer } } } };
        }
      }
      if (provider === 'gep') {
        // the decrypted payloads as JSON Schema's own annotation of an encoded string (contentSchema)
        const sealed = (envelope: string, field: string, inner: JsonSchema): JsonSchema =>
          entry
            ? { allOf: [ref(envelope), { properties: { [field]: { contentMediaType: 'application/json', contentSchema: inner } } }] }
            : ref(envelope);
        operation['requestBody'] = {
          required: true,
          content: { 'application/x-www-form-urlencoded': { schema: sealed('gep.envelope.request', 'dataContent', request) } },
        };
        operation['responses'] = {
          '200': {
            description: 'the answer envelope; result decrypts to the x-gep-envelope response schema',
            content: { 'application/json': { schema: sealed('gep.envelope.response', 'result', answer) } },
          },
        };
        operation['x-gep-envelope'] = {
          form: 'application/x-www-form-urlencoded: version, certificateId, userNo, dataType, dataContent',
          dataContent:
            "JSON text → Base64 → RSA/ECB/PKCS1Padding with the merchant's private key, in chunks of (key bytes − 11), written as hex",
          result: "hex → RSA with GEP's public key, chunk by chunk → Base64-decode → JSON",
          request: request,
          response: answer,
        };
      }
      paths[call.path] = { servers, [call.method.toLowerCase()]: operation };
    }
  }
  const versions = providers.map((p) => cat.versions[p]).join(', ');
  return {
    openapi: '3.1.0',
    info: {
      title: `card-conformance: ${providers.map((p) => cat.profiles[p].name).join(' and ')} (${opts.mode} schema mode)`,
      version: versions,
      description: [
        `Derived from the rule catalogue of card-conformance, document versions ${versions}, ${opts.mode} schema mode.`,
        'Every property lists its rule ids in x-rule-ids; a rule JSON Schema cannot express is listed there with expressed: false and why.',
      ].join(' '),
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: cat.profiles[providers[0]!].hosts.sandbox }],
    tags: providers.map((p) => ({ name: p, description: cat.profiles[p].name })),
    'x-schema-mode': opts.mode,
    'x-spec-versions': Object.fromEntries(providers.map((p) => [p, cat.versions[p]])),
    paths,
    components: {
      schemas,
      ...(providers.includes('alchemy') ? { securitySchemes: ALCHEMY_SECURITY } : {}),
    },
  };
}
