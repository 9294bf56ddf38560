import t from 'tap';
import { validate } from '@readme/openapi-parser';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../migrations/reference-files.js';
import { buildOpenapiDocument } from '../src/openapi-document.js';
import { createTestApp } from './helpers/test-app.js';
import { schemaCompilers } from './helpers/schema-compilers.js';

type Operation = {
  tags?: string[];
  summary?: string;
  description?: string;
  operationId?: string;
  security?: unknown[];
  requestBody?: { content: Record<string, { schema?: { example?: unknown }; example?: unknown; examples?: unknown }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema?: unknown; example?: unknown; examples?: unknown }> }>;
};

const ctx = await createTestApp(t);
const document = (await buildOpenapiDocument({ database: ctx.database, schemaCompilers })) as { paths: Record<string, Record<string, Operation>>; components: unknown };

t.test('the document passes a standard OpenAPI 3.1 validator', async (t) => {
  const result = await validate(structuredClone(document) as never);
  t.ok(result.valid, JSON.stringify('errors' in result ? result.errors : [], null, 1).slice(0, 2000));
});

t.test('every operation is tagged, described, exemplified and lists its errors', async (t) => {
  const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
  );
  t.ok(operations.length >= 20, `found ${operations.length} operations`);
  for (const { name, op } of operations) {
    t.ok(op.tags?.length, `${name} is tagged`);
    t.ok(op.summary && op.description, `${name} has a summary and description`);
    t.ok(op.operationId, `${name} has an operationId`);
    const success = Object.entries(op.responses).find(([code]) => code.startsWith('2'));
    t.ok(success, `${name} documents a success response`);
    const media = Object.values(success?.[1].content ?? {});
    if (success?.[0] === '204') t.equal(media.length, 0, `${name} answers 204 with no body`);
    else
      t.ok(
        media.some((m) => m.example !== undefined || m.examples !== undefined || (m.schema as { examples?: unknown[] } | undefined)?.examples !== undefined),
        `${name} has a response example`,
      );
    if (op.requestBody) {
      const bodies = Object.values(op.requestBody.content);
      t.ok(bodies.some((b) => b.example !== undefined || b.examples !== undefined), `${name} has a request example`);
    }
    t.ok(op.responses['500'] && op.responses['503'], `${name} documents 500 and 503`);
    for (const [code, response] of Object.entries(op.responses)) {
      if (Number(code) >= 400) t.ok(response.content?.['application/problem+json'], `${name} ${code} is problem+json`);
    }
    const isPublic = name.startsWith('POST /v1/auth/token') || name.includes('/health/') || name === 'GET /v1/catalog';
    if (!isPublic) {
      t.same(op.security, [{ bearerAuth: [] }], `${name} requires a bearer token`);
      t.ok(op.responses['401'], `${name} documents 401`);
    }
  }
});

t.test('the checked-in openapi.json is what the code produces', async (t) => {
  const checkedIn = JSON.parse(await readFile(join(projectRoot(), 'openapi', 'openapi.json'), 'utf8'));
  t.same(checkedIn, document, 'run `npm run openapi` after changing routes');
});

t.test('the running service serves the spec and the docs page', async (t) => {
  const { app } = ctx;
  const json = await app.inject({ url: '/openapi.json' });
  t.equal(json.statusCode, 200);
  t.same(json.json().paths, document.paths);
  const yaml = await app.inject({ url: '/openapi.yaml' });
  t.equal(yaml.statusCode, 200);
  t.match(yaml.headers['content-type'], /yaml/);
  t.match(yaml.body, /openapi: 3\.1\.0/);
  const docs = await app.inject({ url: '/docs/' });
  t.equal(docs.statusCode, 200);
  t.match(docs.body, /swagger-ui/i);
});
