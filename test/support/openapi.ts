import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { parse } from 'yaml';

/**
 * docs/openapi.yaml as a checker of real answers: finds the documented response for a method,
 * path and status, and validates the answer's headers and body against it with Ajv (JSON Schema
 * 2020-12, the dialect of OpenAPI 3.1). The document itself is validated against the OpenAPI
 * 3.1 schema by @seriousme/openapi-schema-validator (test/integration/openapi.test.ts).
 */

export const OPENAPI_PATH = join(__dirname, '..', '..', 'docs', 'openapi.yaml');

type Json = Record<string, any>;

export const DOCUMENT: Json = parse(readFileSync(OPENAPI_PATH, 'utf8'));

const ID = 'https://mfa-sms-gateway.local/openapi.json';
// The document's own top-level fields are not JSON Schema keywords; Ajv is told to skip them, and
// stays strict about everything inside the schemas.
const ajv = new Ajv2020({ allErrors: true, strict: true });
for (const keyword of ['openapi', 'info', 'servers', 'tags', 'paths', 'components']) ajv.addKeyword(keyword);
ajv.addSchema({ ...DOCUMENT, $id: ID });

/** The headers the gateway itself sets (beside content-type): each must be documented where it appears. */
const GATEWAY_HEADERS = ['retry-after', 'allow', 'cache-control'];

export const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Follows a local `$ref` ("#/components/...") to what it names. */
export function resolve(value: Json | undefined): Json | undefined {
  let current = value;
  while (current && typeof current.$ref === 'string') {
    current = current.$ref
      .slice(2)
      .split('/')
      .reduce((node: Json | undefined, part: string) => node?.[part], DOCUMENT);
  }
  return current;
}

function validator(schema: Json): ValidateFunction {
  // A schema that is a $ref compiles by its pointer, so that Ajv resolves it inside the document.
  if (typeof schema.$ref === 'string') return ajv.getSchema(`${ID}${schema.$ref}`)!;
  return ajv.compile(schema);
}

function problemsOf(validate: ValidateFunction, value: unknown, what: string): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => `${what}${error.instancePath} ${error.message}`);
}

/** The documented response for an operation and status, or for an unknown path (404). */
export function documentedResponse(method: string, path: string, status: number): Json | undefined {
  const item = DOCUMENT.paths[path];
  if (!item) return status === 404 ? resolve({ $ref: '#/components/responses/NotFound' }) : undefined;
  return resolve(item[method.toLowerCase()]?.responses?.[String(status)]);
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/** What in the answer contradicts docs/openapi.yaml; empty when it conforms. */
export function conformance(method: string, path: string, answer: Answer): string[] {
  const spec = documentedResponse(method, path, answer.status);
  if (!spec) return [`${method} ${path}: status ${answer.status} is not documented`];
  const where = `${method} ${path} ${answer.status}`;
  const problems: string[] = [];

  const headers: Record<string, Json> = Object.fromEntries(Object.entries(spec.headers ?? {}).map(([name, header]) => [name.toLowerCase(), resolve(header as Json)!]));
  for (const [name, header] of Object.entries(headers)) {
    const value = answer.headers.get(name);
    if (value === null) {
      if (header.required) problems.push(`${where}: header ${name} is missing`);
      continue;
    }
    const schema = resolve(header.schema)!;
    // Headers are text; the document types some as integers.
    const typed = schema.type === 'integer' && /^\d+$/.test(value) ? Number(value) : value;
    problems.push(...problemsOf(validator(schema), typed, `${where}: header ${name}`));
  }
  for (const name of GATEWAY_HEADERS) {
    if (answer.headers.has(name) && !(name in headers)) problems.push(`${where}: header ${name} is sent but not documented`);
  }

  const content = spec.content as Json | undefined;
  if (!content) {
    if (answer.text !== '') problems.push(`${where}: a body is sent but none is documented`);
    return problems;
  }
  const media = (answer.headers.get('content-type') ?? '').split(';')[0].trim();
  const schema = content[media]?.schema;
  if (!schema) return [...problems, `${where}: content type "${media}" is not documented`];
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return [...problems, `${where}: the body is not JSON`];
  }
  return [...problems, ...problemsOf(validator(schema), body, `${where}: body`)];
}

/** Every documented (method, path, status), for coverage. */
export function documentedOperations(): string[] {
  const all: string[] = [];
  for (const [path, item] of Object.entries(DOCUMENT.paths as Json)) {
    for (const method of METHODS) {
      for (const status of Object.keys(item[method]?.responses ?? {})) all.push(`${method.toUpperCase()} ${path} ${status}`);
    }
  }
  return all;
}

/** Whether some documented response with this status, on some operation, accepts this error code. */
export function errorCodeDocumented(code: string, status: number): boolean {
  const body = { error: { code, message: 'x' } };
  const responses = [
    ...Object.values(DOCUMENT.paths as Json).flatMap((item) => METHODS.map((method) => resolve(item[method]?.responses?.[String(status)]))),
    documentedResponse('POST', '/no-such-path', status),
  ];
  return responses.some((response) => {
    const schema = response?.content?.['application/json']?.schema;
    return schema !== undefined && validator(schema)(body);
  });
}
