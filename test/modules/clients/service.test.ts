import t from 'tap';
import type { Kysely } from 'kysely';
import type { DB } from '../../../src/db/schema.js';
import { ensureBootstrapAdmin } from '../../../src/modules/clients/service.js';
import { openTestDatabase } from '../../helpers/database.js';
import { createTestApp, type TestContext } from '../../helpers/test-app.js';

async function countClients(db: Kysely<DB>): Promise<number> {
  const row = await db.selectFrom('clients').select(db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

function issueToken(ctx: TestContext, clientId: string, secret: string) {
  return ctx.app.inject({
    method: 'POST',
    url: '/v1/auth/token',
    payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: secret },
  });
}

t.test('on an empty database: creates one admin whose secret works; a second call does nothing', async (t) => {
  const ctx = await createTestApp(t);
  const db = ctx.database.db;
  t.equal(await countClients(db), 0, 'the test database starts without clients');

  const created = await ensureBootstrapAdmin(db, undefined);
  if (!created) throw new Error('expected the bootstrap admin to be created');
  t.equal(created.client.role, 'admin');
  t.equal(created.client.status, 'active');
  t.equal(created.client.agency, null);
  t.equal(created.client.name, 'Bootstrap administrator');
  t.match(created.client.client_id, /^sde-admin-[0-9a-f]{16}$/);
  t.type(created.client_secret, 'string');
  t.ok(created.client_secret.length >= 40, 'a long generated secret');
  t.equal(await countClients(db), 1, 'exactly one client');

  const stored = await db.selectFrom('clients').selectAll().executeTakeFirstOrThrow();
  t.equal(stored.id, created.client.client_id);
  t.equal(stored.role, 'admin');
  t.match(stored.secret_hash, /^scrypt\$/, 'stored as a hash');
  t.notOk(stored.secret_hash.includes(created.client_secret));

  const tok = await issueToken(ctx, created.client.client_id, created.client_secret);
  t.equal(tok.statusCode, 200, 'the generated secret gets a token');
  t.equal(tok.json().role, 'admin');
  const clients = await ctx.app.inject({ url: '/v1/clients', headers: { authorization: `Bearer ${tok.json().access_token as string}` } });
  t.equal(clients.statusCode, 200, 'and the token can administer clients');
  t.same((clients.json().data as { client_id: string }[]).map((c) => c.client_id), [created.client.client_id]);

  const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'client.created').execute();
  t.equal(audit.length, 1, 'the creation is audited');
  t.equal(audit[0]?.actor_id, 'bootstrap');
  t.equal(audit[0]?.actor_role, 'system');
  t.equal(audit[0]?.entity_id, created.client.client_id);
  t.notOk(JSON.stringify(audit).includes(created.client_secret), 'without the secret');

  const second = await ensureBootstrapAdmin(db, undefined);
  t.equal(second, undefined, 'a second call returns undefined');
  t.equal(await countClients(db), 1, 'and creates nobody');

  const withEnv = await ensureBootstrapAdmin(db, { clientId: 'ops-admin-late', secret: 'a-late-bootstrap-secret-0123456789' });
  t.equal(withEnv, undefined, 'env credentials do not add an admin once clients exist');
  t.equal(await countClients(db), 1);
  const late = await issueToken(ctx, 'ops-admin-late', 'a-late-bootstrap-secret-0123456789');
  t.equal(late.statusCode, 401, 'those credentials do not work');

  const original = await issueToken(ctx, created.client.client_id, created.client_secret);
  t.equal(original.statusCode, 200, 'the first admin keeps its secret');
});

t.test('with env credentials: uses that id and secret, and the secret works', async (t) => {
  const ctx = await createTestApp(t);
  const db = ctx.database.db;
  t.equal(await countClients(db), 0, 'the test database starts without clients');

  const fromEnv = { clientId: 'ops-admin', secret: 'an-operator-chosen-bootstrap-secret-0123456789' };
  const created = await ensureBootstrapAdmin(db, fromEnv);
  if (!created) throw new Error('expected the bootstrap admin to be created');
  t.equal(created.client.client_id, 'ops-admin');
  t.equal(created.client_secret, fromEnv.secret);
  t.equal(created.client.role, 'admin');
  t.equal(await countClients(db), 1);

  const stored = await db.selectFrom('clients').select(['id', 'secret_hash']).executeTakeFirstOrThrow();
  t.equal(stored.id, 'ops-admin');
  t.notOk(stored.secret_hash.includes(fromEnv.secret), 'the env secret is stored only as a hash');

  const tok = await issueToken(ctx, 'ops-admin', fromEnv.secret);
  t.equal(tok.statusCode, 200, 'the env secret gets a token');
  t.equal(tok.json().role, 'admin');
  const basic = await ctx.app.inject({
    method: 'POST',
    url: '/v1/auth/token',
    headers: { authorization: `Basic ${Buffer.from(`ops-admin:${fromEnv.secret}`).toString('base64')}` },
    payload: { grant_type: 'client_credentials' },
  });
  t.equal(basic.statusCode, 200, 'also through HTTP Basic');

  const wrong = await issueToken(ctx, 'ops-admin', `${fromEnv.secret}-not`);
  t.equal(wrong.statusCode, 401);

  t.equal(await ensureBootstrapAdmin(db, fromEnv), undefined, 'a restart with the same env creates nothing');
  t.equal(await countClients(db), 1);
  t.equal((await issueToken(ctx, 'ops-admin', fromEnv.secret)).statusCode, 200, 'and the secret still works');
});

t.test('two instances starting together create exactly one admin', async (t) => {
  const database = await openTestDatabase(t);
  const db = database.db;
  t.equal(await countClients(db), 0);
  const results = await Promise.all([ensureBootstrapAdmin(db, undefined), ensureBootstrapAdmin(db, undefined)]);
  t.equal(results.filter((r) => r !== undefined).length, 1, 'one call created it, the other returned undefined');
  t.equal(await countClients(db), 1, 'one admin in the database');
});
