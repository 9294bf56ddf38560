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
  ['JWT_SECRET', { NODE_ENV: 'production' }, /required when NODE_ENV=production/],
  ['BOOTSTRAP_ADMIN_CLIENT_SECRET', { BOOTSTRAP_ADMIN_CLIENT_ID: 'admin-1' }, /set together/],
  ['BOOTSTRAP_ADMIN_CLIENT_ID', { BOOTSTRAP_ADMIN_CLIENT_SECRET: 'x'.repeat(30) }, /set together/],
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
