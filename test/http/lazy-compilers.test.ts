import t from 'tap';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openTestDatabase } from '../helpers/database.js';
import { TEST_JWT_SECRET } from '../helpers/test-app.js';

// Routes compile their schemas on first use (src/http/lazy-compilers.ts). Built eagerly, as
// fastify does by itself, every route's schemas must compile; built lazily, every answer must be
// the same, valid or not, including the header schemas fastify lowercases for its own compiler.
const database = await openTestDatabase(t);
const config = loadConfig({ JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent', NODE_ENV: 'test' });
const eager = await buildApp(config, { database, logger: false, eagerSchemas: true });
const lazy = await buildApp(config, { database, logger: false });
t.teardown(async () => {
  await eager.close();
  await lazy.close();
});

const token = eager.jwt.sign({ role: 'admin' }, { sub: 'lazy-compilers-test' });
const requests = [
  { method: 'GET', url: '/v1/regions?parent=65' },
  { method: 'GET', url: '/v1/regions?limit=abc' },
  { method: 'GET', url: '/v1/regions?level=planet' },
  { method: 'GET', url: '/v1/regions/65.71' },
  { method: 'GET', url: '/v1/regions/11.1' },
  { method: 'GET', url: '/v1/indicators/PPKS-06' },
  { method: 'POST', url: '/v1/agencies', payload: { code: 'X', kind: 42 } },
  { method: 'POST', url: '/v1/datasets/00000000-0000-0000-0000-000000000000/versions', headers: { 'idempotency-key': 'x'.repeat(300) }, payload: { observations: [] } },
  { method: 'GET', url: '/health/live' },
] as const;

t.test('every route compiles its schemas when built eagerly', async (t) => {
  t.ok(eager.hasRoute({ method: 'GET', url: '/v1/regions' }));
});

for (const r of requests) {
  t.test(`${r.method} ${r.url}: the same answer compiled lazily as eagerly`, async (t) => {
    const send = (app: typeof eager) =>
      app.inject({ method: r.method, url: r.url, headers: { authorization: `Bearer ${token}`, 'x-request-id': 'same', ...('headers' in r ? r.headers : {}) }, ...('payload' in r ? { payload: r.payload } : {}) });
    const [a, b] = [await send(eager), await send(lazy)];
    t.equal(b.statusCode, a.statusCode);
    t.same(b.json(), a.json());
    t.equal(b.headers['content-type'], a.headers['content-type']);
  });
}
