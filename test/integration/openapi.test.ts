import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import { parse } from 'yaml';
import { createApiRouter } from '../../app/app.js';
import { registerUser, startTestService, type ApiResponse, type TestService } from '../helpers/service.js';

/** The RealWorld spec, beside the repository (as .ci/run and the suite expect it). */
const SPEC_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/realworld/openapi.yml');
const noSpec = existsSync(SPEC_FILE) ? false : `no RealWorld spec at ${SPEC_FILE}`;

type Json = Record<string, unknown>;
interface Doc extends Json {
  paths: Record<string, Record<string, Json>>;
}
const METHODS = ['get', 'post', 'put', 'delete'] as const;

const asObject = (value: unknown): Json => (typeof value === 'object' && value !== null ? (value as Json) : {});

/** Follows a local $ref (#/components/...) until a non-reference is reached. */
function deref(doc: Json, value: unknown): Json {
  let node = asObject(value);
  for (let hops = 0; typeof node.$ref === 'string' && hops < 20; hops += 1) {
    node = node.$ref
      .slice(2)
      .split('/')
      .reduce<Json>((at, part) => asObject(at[part]), doc);
  }
  return node;
}

/** Every required field of a schema as a path ("user.email", "articles[].author.username"). */
function requiredPaths(doc: Json, schemaOrRef: unknown, prefix = ''): Set<string> {
  const schema = deref(doc, schemaOrRef);
  const found = new Set<string>();
  const branches = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : [];
  for (const branch of branches) for (const p of requiredPaths(doc, branch, prefix)) found.add(p);
  if (schema.type === 'array' || schema.items) {
    for (const p of requiredPaths(doc, schema.items, `${prefix.replace(/\.$/, '')}[].`)) found.add(p);
  }
  for (const name of Array.isArray(schema.required) ? (schema.required as string[]) : []) found.add(`${prefix}${name}`);
  for (const [name, property] of Object.entries(asObject(schema.properties))) {
    for (const p of requiredPaths(doc, property, `${prefix}${name}.`)) found.add(p);
  }
  return found;
}

/** The JSON schema of a request body or an answer (through $refs), undefined when it has none. */
function jsonSchemaOf(doc: Json, holder: unknown): unknown {
  const content = asObject(deref(doc, holder).content);
  return asObject(content['application/json']).schema;
}

function operations(doc: Doc): { key: string; path: string; method: string; op: Json }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({
      key: `${method.toUpperCase()} ${path}`,
      path,
      method,
      op: asObject(item[method]),
    })),
  );
}

const statusesOf = (op: Json) => Object.keys(asObject(op.responses)).sort();

/** Whether the operation takes input the handler validates (a body, a query, a typed path parameter). */
function takesInput(op: Json): boolean {
  const params = Array.isArray(op.parameters) ? (op.parameters as Json[]) : [];
  return op.requestBody !== undefined || params.some((p) => p.in === 'query' || asObject(p.schema).type !== 'string');
}

describe('GET /api/openapi.json', () => {
  let t: TestService;
  let served: Doc;
  let spec: Doc;

  before(async () => {
    t = await startTestService();
    const res = await t.api<Doc>('GET', '/api/openapi.json');
    assert.equal(res.status, 200, res.text);
    served = res.body;
    if (!noSpec) spec = parse(readFileSync(SPEC_FILE, 'utf8')) as Doc;
  });
  after(() => t.stop());

  it('when fetched without a token (or with a bad one), then it is JSON, the same every time, and valid OpenAPI 3.1', async () => {
    const again = await t.api<Doc>('GET', '/api/openapi.json', { headers: { Authorization: 'Token not-a-token' } });
    assert.equal(again.status, 200);
    assert.match(again.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(again.body, served);
    assert.equal(served.openapi, '3.1.0');
    const validator = new Validator();
    const result = await validator.validate(served);
    assert.deepEqual(result.errors ?? [], [], 'schema errors');
    assert.equal(result.valid, true);
    assert.equal(validator.version, '3.1');
    assert.deepEqual(asObject(asObject(served.components).securitySchemes).Token, {
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      description: asObject(asObject(asObject(served.components).securitySchemes).Token).description,
    });
  });

  it(
    'when compared with the RealWorld spec, then every path and method is there with its success status and error statuses',
    { skip: noSpec },
    (tc) => {
      const ours = new Map(operations(served).map((o) => [o.key, o.op]));
      const excused: string[] = [];
      for (const { key, op: theirs } of operations(spec)) {
        const op = ours.get(key);
        assert.ok(op, `${key} is missing`);
        const theirStatuses = statusesOf(theirs);
        const ourStatuses = statusesOf(op);
        assert.deepEqual(
          ourStatuses.filter((s) => s.startsWith('2')),
          theirStatuses.filter((s) => s.startsWith('2')),
          `${key}: success status`,
        );
        for (const status of theirStatuses.filter((s) => !s.startsWith('2'))) {
          // The spec lists 422 on every operation; where nothing is validated it cannot happen here.
          if (status === '422' && !ourStatuses.includes('422') && !takesInput(op)) {
            excused.push(key);
            continue;
          }
          assert.ok(
            ourStatuses.includes(status),
            `${key}: the spec's ${status} is not documented (ours: ${ourStatuses.join(',')})`,
          );
        }
        // And what the service adds: every operation may be shed, every write may be rate-limited.
        assert.ok(ourStatuses.includes('503'), `${key}: 503`);
        if (key.startsWith('GET')) assert.equal(ourStatuses.includes('429'), false, `${key}: reads are not rate-limited`);
        else assert.ok(ourStatuses.includes('429'), `${key}: 429`);
        if (asObject(theirs).security) assert.deepEqual(op.security, theirs.security, `${key}: security`);
      }
      tc.diagnostic(`spec 422s that cannot happen here (no validated input): ${excused.join('; ')}`);
    },
  );

  it(
    'when compared with the RealWorld spec, then request bodies require what it requires and answers carry what it requires',
    { skip: noSpec },
    () => {
      const ours = new Map(operations(served).map((o) => [o.key, o.op]));
      for (const { key, op: theirs } of operations(spec)) {
        const op = asObject(ours.get(key));
        if (theirs.requestBody) {
          assert.ok(op.requestBody, `${key}: request body`);
          assert.deepEqual(
            [...requiredPaths(served, jsonSchemaOf(served, op.requestBody))].sort(),
            [...requiredPaths(spec, jsonSchemaOf(spec, theirs.requestBody))].sort(),
            `${key}: required request fields`,
          );
        }
        for (const [status, answer] of Object.entries(asObject(theirs.responses))) {
          const theirSchema = jsonSchemaOf(spec, answer);
          // No body in the spec, or a status the test above excused (a 422 that cannot happen here).
          if (theirSchema === undefined || !(status in asObject(op.responses))) continue;
          const ourSchema = jsonSchemaOf(served, asObject(op.responses)[status]);
          assert.ok(ourSchema, `${key} ${status}: a JSON body`);
          const ourRequired = requiredPaths(served, ourSchema);
          // Error bodies: the spec's GenericErrorModel requires errors.body, but RealWorld errors
          // are keyed by field ({"errors": {"email": [...]}}), so only `errors` itself is compared.
          const theirRequired = status.startsWith('2') ? requiredPaths(spec, theirSchema) : new Set(['errors']);
          for (const field of theirRequired)
            assert.ok(ourRequired.has(field), `${key} ${status}: ${field} is required by the spec`);
        }
      }
      // The comparison reaches nested objects and array items through $refs.
      const list = jsonSchemaOf(spec, asObject(asObject(spec.paths['/articles']?.get).responses)['200']);
      assert.ok(requiredPaths(spec, list).has('articles[].author.following'));
    },
  );

  it('when the router has a route, then the document describes that method and path, and nothing else', () => {
    const router = createApiRouter(t.service.deps, {
      bodyLimitBytes: 1024,
      rateLimits: { auth: undefined, writes: undefined, trustedProxyCount: 0 },
    });
    const routes = router.stack
      .filter((layer) => layer.methods.length > 0)
      .flatMap((layer) =>
        layer.methods
          .filter((m) => m !== 'HEAD')
          .map(
            (m) =>
              `${m} ${String(layer.path)
                .replace(/^\/api/, '')
                .replace(/:(\w+)/g, '{$1}')}`,
          ),
      );
    assert.deepEqual(
      operations(served)
        .map((o) => o.key)
        .sort(),
      [...new Set(routes)].sort(),
    );
  });

  it('when a body lacks a field the document says is required, then the handler answers 422 naming it', async () => {
    const user = await registerUser(t);
    const valid: Record<string, string> = {
      username: 'someone_new',
      email: 'someone_new@example.test',
      password: 'password123',
      title: 'A title',
      description: 'A description',
      body: 'A body',
    };
    let checked = 0;
    for (const { key, path, method, op } of operations(served)) {
      if (!op.requestBody) continue;
      const schema = deref(served, jsonSchemaOf(served, op.requestBody));
      const [envelope] = Array.isArray(schema.required) ? (schema.required as string[]) : [];
      assert.ok(envelope, `${key}: an envelope key`);
      const inner = deref(served, asObject(schema.properties)[envelope]);
      const required = Array.isArray(inner.required) ? (inner.required as string[]) : [];
      for (const missing of required) {
        const fields = Object.fromEntries(required.filter((f) => f !== missing).map((f) => [f, valid[f] ?? 'x']));
        const res: ApiResponse<{ errors: Record<string, string[]> }> = await t.api(
          method.toUpperCase(),
          `/api${path.replace('{slug}', 'no-such-article')}`,
          { token: user.token, body: { [envelope]: fields } },
        );
        assert.equal(res.status, 422, `${key} without ${missing}: ${res.text}`);
        assert.ok(res.body.errors[missing], `${key} without ${missing}: ${res.text}`);
        checked += 1;
      }
    }
    assert.ok(checked >= 9, `checked ${checked} required fields`);
  });
});
