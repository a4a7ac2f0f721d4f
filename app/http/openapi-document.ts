import { z } from 'zod';

/**
 * Builds an OpenAPI 3.1 document from operations described with the zod schemas the handlers
 * validate with and the schemas the services' answers are typed by: the document cannot
 * disagree with the code about a field, because it is generated from the same objects. Requests
 * are converted as zod's input side (what a client sends: before trimming, coercion, defaults),
 * answers as the output side.
 */

type JsonSchema = Record<string, unknown>;
type Method = 'get' | 'post' | 'put' | 'delete';

/** Who may call: `optional` still answers 401 for a bad token (never silently anonymous). */
export type AuthMode = 'none' | 'optional' | 'required';

export interface ErrorOutcome {
  status: number;
  /** A component of `responses` (see OpenApiSpec.responses). */
  response: string;
}

export interface Operation {
  method: Method;
  /** The router's template, e.g. /api/articles/:slug. */
  route: string;
  operationId: string;
  tag: string;
  summary: string;
  auth: AuthMode;
  /** The request body schema the handler parses. */
  body?: z.ZodType;
  /** The query schema the handler parses (an object: one parameter per key). */
  query?: z.ZodObject;
  /** Path parameters the handler parses with a schema; the others are plain strings. */
  params?: z.ZodObject;
  /** Descriptions of the path parameters. */
  paramDescriptions?: Record<string, string>;
  success: { status: number; description: string; schema?: z.ZodType };
  errors: readonly ErrorOutcome[];
}

export interface OpenApiSpec {
  info: { title: string; version: string; description: string };
  license: { name: string; identifier: string };
  /** Base URL of the paths (the spec's server is .../api, its paths /users, /articles, ...). */
  serverUrl: string;
  securitySchemeName: string;
  securityScheme: JsonSchema;
  tags: readonly { name: string; description: string }[];
  /** Named request schemas (input side) and answer schemas (output side): components.schemas. */
  requestComponents: readonly (readonly [z.ZodType, string])[];
  answerComponents: readonly (readonly [z.ZodType, string])[];
  /** Reusable error answers (components.responses), named by ErrorOutcome.response. */
  responses: Record<string, { description: string; schema: z.ZodType; headers?: Record<string, JsonSchema> }>;
  operations: readonly Operation[];
}

const componentRef = (id: string) => `#/components/schemas/${id}`;

/** Strips what z.toJSONSchema adds for a standalone document ($schema, $id). */
function embeddable(schema: unknown): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema as JsonSchema;
  return rest;
}

/** One io side: named components, and a converter that refers to them by $ref. */
function side(io: 'input' | 'output', named: readonly (readonly [z.ZodType, string])[]) {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of named) registry.add(schema, { id });
  const converted = z.toJSONSchema(registry, { io, uri: componentRef, unrepresentable: 'any' }).schemas;
  const components = Object.fromEntries(Object.entries(converted).map(([id, schema]) => [id, embeddable(schema)]));
  const convert = (schema: z.ZodType): JsonSchema => {
    const id = registry.get(schema)?.id;
    return id !== undefined ? { $ref: componentRef(id) } : embeddable(z.toJSONSchema(schema, { io, unrepresentable: 'any' }));
  };
  return { components, convert };
}

/** /api/articles/:slug -> /articles/{slug}, relative to the server URL. */
function openApiPath(route: string, serverUrl: string): string {
  const relative = route.startsWith(serverUrl) ? route.slice(serverUrl.length) : route;
  return relative.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parameters(op: Operation, input: (schema: z.ZodType) => JsonSchema): JsonSchema[] {
  const result: JsonSchema[] = [];
  const params = op.params ? (input(op.params) as { properties?: Record<string, JsonSchema> }).properties : undefined;
  for (const [, name = ''] of op.route.matchAll(/:([A-Za-z0-9_]+)/g)) {
    const description = op.paramDescriptions?.[name];
    result.push({
      name,
      in: 'path',
      required: true,
      schema: params?.[name] ?? { type: 'string' },
      ...(description ? { description } : {}),
    });
  }
  if (op.query) {
    const query = input(op.query) as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      const { description, ...rest } = schema;
      result.push({
        name,
        in: 'query',
        required: query.required?.includes(name) ?? false,
        schema: rest,
        ...(typeof description === 'string' ? { description } : {}),
      });
    }
  }
  return result;
}

export function buildOpenApiDocument(spec: OpenApiSpec): JsonSchema {
  const requests = side('input', spec.requestComponents);
  const answers = side('output', spec.answerComponents);
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const op of spec.operations) {
    const responses: Record<string, JsonSchema> = {};
    responses[String(op.success.status)] = op.success.schema
      ? { description: op.success.description, content: { 'application/json': { schema: answers.convert(op.success.schema) } } }
      : { description: op.success.description };
    for (const error of [...op.errors].sort((a, b) => a.status - b.status)) {
      responses[String(error.status)] = { $ref: `#/components/responses/${error.response}` };
    }
    const params = parameters(op, requests.convert);
    const operation: JsonSchema = {
      tags: [op.tag],
      summary: op.summary,
      operationId: op.operationId,
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(op.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: requests.convert(op.body) } } } }
        : {}),
      responses,
      // Required: this scheme only. Optional: anonymous or the token. None: no security at all.
      security:
        op.auth === 'required'
          ? [{ [spec.securitySchemeName]: [] }]
          : op.auth === 'optional'
            ? [{}, { [spec.securitySchemeName]: [] }]
            : [],
    };
    (paths[openApiPath(op.route, spec.serverUrl)] ??= {})[op.method] = operation;
  }
  const responses = Object.fromEntries(
    Object.entries(spec.responses).map(([name, r]) => [
      name,
      {
        description: r.description,
        ...(r.headers ? { headers: r.headers } : {}),
        content: { 'application/json': { schema: answers.convert(r.schema) } },
      },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: { ...spec.info, license: spec.license },
    servers: [{ url: spec.serverUrl }],
    tags: spec.tags,
    paths,
    components: {
      schemas: { ...requests.components, ...answers.components },
      responses,
      securitySchemes: { [spec.securitySchemeName]: spec.securityScheme },
    },
  };
}
