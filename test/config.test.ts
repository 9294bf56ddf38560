import t from 'tap';
import { ConfigError, loadConfig } from '../src/config.js';

t.test('defaults give a runnable PGlite configuration', async (t) => {
  const c = loadConfig({});
  t.equal(c.port, 3000);
  t.equal(c.host, '0.0.0.0');
  t.same(c.database, { kind: 'pglite', dataDir: './.data/pglite' });
  t.equal(c.jwt.ttlSeconds, 900);
  t.equal(c.jwtSecretGenerated, true);
  t.ok(c.jwt.secret.length >= 32, 'a random key long enough for HS256');
  t.equal(c.bootstrapAdmin, undefined);
});

t.test('DATABASE_URL selects the Postgres server with its timeouts', async (t) => {
  const c = loadConfig({ DATABASE_URL: 'postgres://u@db:5432/sde', DB_STATEMENT_TIMEOUT_MS: '1500', DB_POOL_MAX: '4' });
  t.match(c.database, { kind: 'postgres', url: 'postgres://u@db:5432/sde', statementTimeoutMs: 1500, poolMax: 4 });
});

t.test('pushes keep up to half a million points in memory for their checks unless told otherwise; 0 reads every push back', async (t) => {
  t.equal(loadConfig({}).pushMemoryPoints, 500_000);
  t.equal(loadConfig({ PUSH_MEMORY_POINTS: '0' }).pushMemoryPoints, 0);
});

t.test("a push's plausibility checks judge 20,000 points at a time unless told otherwise; a slice has at least one point", async (t) => {
  t.equal(loadConfig({}).pushSlicePoints, 20_000);
  t.equal(loadConfig({ PUSH_SLICE_POINTS: '1' }).pushSlicePoints, 1);
  t.throws(() => loadConfig({ PUSH_SLICE_POINTS: '0' }), ConfigError);
});

t.test('a publication reconciles 20,000 keys a slice unless told otherwise; a slice has at least one key', async (t) => {
  t.equal(loadConfig({}).publishChunkKeys, 20_000);
  t.equal(loadConfig({ PUBLISH_CHUNK_KEYS: '3' }).publishChunkKeys, 3);
  t.throws(() => loadConfig({ PUBLISH_CHUNK_KEYS: '0' }), ConfigError);
  t.throws(() => loadConfig({ PUBLISH_CHUNK_KEYS: 'many' }), ConfigError);
});

t.test('input limits have defaults and can be set', async (t) => {
  t.same(loadConfig({}).inputLimits, {
    maxColumns: 200,
    maxLineBytes: 1_048_576,
    maxCellBytes: 65_536,
    xlsxMaxInflatedBytes: 536_870_912,
    json: { maxDepth: 32, maxArrayItems: 200_000 },
  });
  const c = loadConfig({ PUSH_MAX_COLUMNS: '50', PUSH_MAX_LINE_BYTES: '4096', PUSH_MAX_CELL_BYTES: '1024', XLSX_MAX_INFLATED_BYTES: '2097152', JSON_MAX_DEPTH: '10', JSON_MAX_ARRAY_ITEMS: '1000' });
  t.same(c.inputLimits, { maxColumns: 50, maxLineBytes: 4096, maxCellBytes: 1024, xlsxMaxInflatedBytes: 2_097_152, json: { maxDepth: 10, maxArrayItems: 1000 } });
});

t.test('abuse limits and CORS: generous limits, no CORS, unless told otherwise; 0 turns a limit off', async (t) => {
  const c = loadConfig({});
  t.same(c.rateLimits, { windowSeconds: 60, tokenPerClient: 20, tokenPerAddress: 60, writesPerClient: 600 });
  t.equal(c.secretHashConcurrency, 2);
  t.same(c.corsOrigins, []);
  const off = loadConfig({ TOKEN_RATE_LIMIT_PER_CLIENT: '0', TOKEN_RATE_LIMIT_PER_ADDRESS: '0', WRITE_RATE_LIMIT_PER_CLIENT: '0' });
  t.same(off.rateLimits, { windowSeconds: 60, tokenPerClient: 0, tokenPerAddress: 0, writesPerClient: 0 });
  const cors = loadConfig({ CORS_ORIGINS: 'https://dashboard.kaltara.go.id, http://localhost:5173,' });
  t.same(cors.corsOrigins, ['https://dashboard.kaltara.go.id', 'http://localhost:5173'], 'trimmed, empty entries dropped');
});

t.test('the public base URL of the catalogue: localhost on the port unless told, never from a request', async (t) => {
  t.equal(loadConfig({}).publicBaseUrl, 'http://localhost:3000');
  t.equal(loadConfig({ PORT: '8080' }).publicBaseUrl, 'http://localhost:8080');
  t.equal(loadConfig({ PUBLIC_BASE_URL: 'https://satudata.kaltaraprov.go.id/exchange' }).publicBaseUrl, 'https://satudata.kaltaraprov.go.id/exchange');
  t.equal(loadConfig({}).catalogPublisherName, 'Satu Data Exchange');
});

t.test('jobs: every process runs them, two at a time, on a minute\'s lease, unless told otherwise; no proxy is trusted unless named', async (t) => {
  const defaults = loadConfig({});
  t.same(defaults.jobs, { worker: true, concurrency: 2, pollMs: 1000, leaseMs: 60_000, maxAttempts: 5, retryMs: 1000, drainMs: 5000 });
  t.equal(defaults.publishAsyncKeys, 100_000);
  t.same(defaults.trustedProxies, []);
  const set = loadConfig({ JOB_WORKER: 'false', JOB_LEASE_MS: '1500', JOB_RETRY_MS: '250', SHUTDOWN_TIMEOUT_MS: '4000', PUBLISH_ASYNC_KEYS: '10', TRUST_PROXY: '10.0.0.0/8, 192.168.1.5' });
  t.match(set.jobs, { worker: false, leaseMs: 1500, retryMs: 250, drainMs: 2000 });
  t.equal(set.publishAsyncKeys, 10);
  t.same(set.trustedProxies, ['10.0.0.0/8', '192.168.1.5']);
});

t.test('statistics: refreshed every 10 s unless told otherwise, never under NODE_ENV=test unless asked', async (t) => {
  t.equal(loadConfig({}).analyzeIntervalMs, 10_000);
  t.equal(loadConfig({ NODE_ENV: 'test' }).analyzeIntervalMs, 0);
  t.equal(loadConfig({ NODE_ENV: 'test', ANALYZE_INTERVAL_MS: '500' }).analyzeIntervalMs, 500);
  t.equal(loadConfig({ ANALYZE_INTERVAL_MS: '0' }).analyzeIntervalMs, 0);
  t.throws(() => loadConfig({ ANALYZE_INTERVAL_MS: '-1' }), /ANALYZE_INTERVAL_MS/);
});

t.test('empty variables mean "use the default"', async (t) => {
  t.equal(loadConfig({ PORT: '' }).port, 3000);
});

const bad: [string, Record<string, string>, RegExp][] = [
  ['PORT', { PORT: 'eighty' }, /PORT/],
  ['PORT', { PORT: '70000' }, /PORT/],
  ['LOG_LEVEL', { LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
  ['JWT_SECRET', { JWT_SECRET: 'short' }, /JWT_SECRET/],
  ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
  ['TOKEN_TTL_SECONDS', { TOKEN_TTL_SECONDS: '5' }, /TOKEN_TTL_SECONDS/],
  ['PUSH_MEMORY_POINTS', { PUSH_MEMORY_POINTS: '-1' }, /PUSH_MEMORY_POINTS/],
  ['PUSH_MAX_COLUMNS', { PUSH_MAX_COLUMNS: '4' }, /PUSH_MAX_COLUMNS/],
  ['PUSH_MAX_LINE_BYTES', { PUSH_MAX_LINE_BYTES: 'lots' }, /PUSH_MAX_LINE_BYTES/],
  ['PUSH_MAX_CELL_BYTES', { PUSH_MAX_CELL_BYTES: '0' }, /PUSH_MAX_CELL_BYTES/],
  ['XLSX_MAX_INFLATED_BYTES', { XLSX_MAX_INFLATED_BYTES: '1000' }, /XLSX_MAX_INFLATED_BYTES/],
  ['JSON_MAX_DEPTH', { JSON_MAX_DEPTH: '100000' }, /JSON_MAX_DEPTH/],
  ['JSON_MAX_ARRAY_ITEMS', { JSON_MAX_ARRAY_ITEMS: '-5' }, /JSON_MAX_ARRAY_ITEMS/],
  ['JWT_SECRET', { NODE_ENV: 'production' }, /required when NODE_ENV=production/],
  ['BOOTSTRAP_ADMIN_CLIENT_SECRET', { BOOTSTRAP_ADMIN_CLIENT_ID: 'admin-1' }, /set together/],
  ['BOOTSTRAP_ADMIN_CLIENT_ID', { BOOTSTRAP_ADMIN_CLIENT_SECRET: 'x'.repeat(30) }, /set together/],
  ['CORS_ORIGINS', { CORS_ORIGINS: '*' }, /exact origins.*"\*"/],
  ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: 'satudata.kaltaraprov.go.id' }, /PUBLIC_BASE_URL/],
  ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: 'https://satudata.kaltaraprov.go.id/' }, /trailing slash/],
  ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: 'ftp://satudata.kaltaraprov.go.id' }, /PUBLIC_BASE_URL/],
  ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: 'https://satudata.kaltaraprov.go.id?x=1' }, /PUBLIC_BASE_URL/],
  ['CORS_ORIGINS', { CORS_ORIGINS: 'https://dashboard.kaltara.go.id/' }, /exact origins/],
  ['CORS_ORIGINS', { CORS_ORIGINS: 'https://ok.go.id,https://dashboard.kaltara.go.id/app' }, /dashboard\.kaltara\.go\.id\/app/],
  ['CORS_ORIGINS', { CORS_ORIGINS: 'ftp://files.go.id' }, /exact origins/],
  ['CORS_ORIGINS', { CORS_ORIGINS: 'null' }, /exact origins/],
  ['TOKEN_RATE_LIMIT_PER_CLIENT', { TOKEN_RATE_LIMIT_PER_CLIENT: '-1' }, /TOKEN_RATE_LIMIT_PER_CLIENT/],
  ['RATE_LIMIT_WINDOW_SECONDS', { RATE_LIMIT_WINDOW_SECONDS: '0' }, /RATE_LIMIT_WINDOW_SECONDS/],
  ['SECRET_HASH_CONCURRENCY', { SECRET_HASH_CONCURRENCY: '0' }, /SECRET_HASH_CONCURRENCY/],
  ['JOB_LEASE_MS', { JOB_LEASE_MS: '100' }, /JOB_LEASE_MS/],
  ['JOB_CONCURRENCY', { JOB_CONCURRENCY: '0' }, /JOB_CONCURRENCY/],
  ['JOB_RETRY_MS', { JOB_RETRY_MS: '5' }, /JOB_RETRY_MS/],
  ['TRUST_PROXY', { TRUST_PROXY: 'nginx' }, /TRUST_PROXY/],
];
for (const [variable, env, message] of bad) {
  t.test(`a bad ${variable} stops start-up naming the variable`, async (t) => {
    try {
      loadConfig(env);
      t.fail('expected a ConfigError');
    } catch (err) {
      t.type(err, ConfigError);
      t.equal((err as ConfigError).variable, variable);
      t.match((err as Error).message, message);
    }
  });
}

t.test('bootstrap admin credentials are taken from the environment as a pair', async (t) => {
  const c = loadConfig({ BOOTSTRAP_ADMIN_CLIENT_ID: 'admin-1', BOOTSTRAP_ADMIN_CLIENT_SECRET: 's'.repeat(32) });
  t.same(c.bootstrapAdmin, { clientId: 'admin-1', secret: 's'.repeat(32) });
});
