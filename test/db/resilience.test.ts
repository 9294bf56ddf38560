import t from 'tap';
import net from 'node:net';
import { sql } from 'kysely';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createDb } from '../../src/db/create-db.js';
import { isDatabaseUnavailable } from '../../src/db/errors.js';
import { openTestDatabase, serverConfig, serverUrl, withDatabase } from '../helpers/database.js';
import { until } from '../helpers/live-server.js';
import { TEST_JWT_SECRET } from '../helpers/test-app.js';

/**
 * A TCP proxy between the service and Postgres that the test can cut and restore, to
 * play "the database went away" without stopping the shared server.
 */
function cuttableProxy(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let open = true;
  const server = net.createServer((client) => {
    if (!open) return client.destroy();
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  return {
    listen: () => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port))),
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      open = true;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

t.test('losing the database while running: 503s, then recovery without restart', { skip: serverUrl ? false : 'needs TEST_DATABASE_URL (a Postgres server)' }, async (t) => {
  // The database itself comes from the template; the app reaches it only through the proxy.
  const direct = await openTestDatabase(t);
  const [current] = await direct.db.selectNoFrom((eb) => eb.fn<string>('current_database', []).as('name')).execute();
  const url = new URL(serverUrl!);
  const proxy = cuttableProxy({ host: url.hostname, port: Number(url.port || 5432) });
  const port = await proxy.listen();
  url.port = String(port);
  url.pathname = `/${current!.name}`;
  const config = loadConfig({ JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent', DATABASE_URL: url.toString(), DB_CONNECT_TIMEOUT_MS: '1000' });
  const errors: Error[] = [];
  const database = createDb(config.database, { onPoolError: (err) => errors.push(err) });
  const app = await buildApp(config, { database, logger: false });
  t.teardown(async () => {
    await app.close();
    await database.close();
    await proxy.close();
  });

  t.equal((await app.inject({ url: '/health/ready' })).statusCode, 200);
  proxy.cut();
  // The idle connection /health/ready used reports its loss.
  await until(() => errors.length > 0);

  const ready = await app.inject({ url: '/health/ready' });
  t.equal(ready.statusCode, 503);
  t.equal(ready.json().code, 'DATABASE_UNAVAILABLE');
  t.ok(ready.headers['retry-after'], 'tells clients when to retry');
  const request = await app.inject({ url: '/v1/regions', headers: { authorization: 'Bearer x.y.z' } });
  t.equal(request.statusCode, 401, 'a bad token is still refused before any database work');

  const { createClient } = await import('../../src/modules/clients/service.js');
  const { client, client_secret } = await createClient(direct.db, { system: 'test' }, undefined, { name: 'resilience', role: 'consumer' });
  const token = await app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: client.client_id, client_secret } });
  t.equal(token.statusCode, 503, 'a request needing the database gets 503');
  t.equal(token.json().code, 'DATABASE_UNAVAILABLE');
  t.notMatch(token.body, /ECONNREFUSED|127\.0\.0\.1|stack/, 'no internals leak');

  proxy.restore();
  const recovered = await app.inject({ url: '/health/ready' });
  t.equal(recovered.statusCode, 200, 'readiness recovers by itself');
  const again = await app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: client.client_id, client_secret } });
  t.equal(again.statusCode, 200, 'requests work again without a restart');
});

t.test('a connection terminated while in use fails the work on it; nothing is left unhandled', { skip: serverUrl ? false : 'needs TEST_DATABASE_URL (a Postgres server)' }, async (t) => {
  const direct = await openTestDatabase(t);
  const [current] = await direct.db.selectNoFrom((eb) => eb.fn<string>('current_database', []).as('name')).execute();
  const errors: Error[] = [];
  // Without a listener on a checked-out client, its 'error' event would end this process.
  const database = createDb(serverConfig(withDatabase(serverUrl!, current!.name)), { onPoolError: (err) => errors.push(err) });
  t.teardown(() => database.close());
  const pidOf = async (db: typeof database.db) => (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)).rows[0]!.pid;
  const terminate = async (pid: number) => {
    const seen = errors.length;
    await sql`select pg_terminate_backend(${pid})`.execute(direct.db);
    await until(() => errors.length > seen);
  };

  const inTransaction = await database.db
    .transaction()
    .execute(async (trx) => {
      await terminate(await pidOf(trx));
      await sql`select 1`.execute(trx);
    })
    .then(
      () => undefined,
      (err: unknown) => err,
    );
  t.ok(isDatabaseUnavailable(inTransaction), `a transaction whose connection was cut fails as unavailable (${String(inTransaction)})`);

  const onItsOwn = await database
    .withConnection(async ({ db, copy }) => {
      await terminate(await pidOf(db));
      await copy!('copy idempotency_keys (client_id, key, target, status) from stdin', Buffer.from('c\tk\tt\tin_progress\n'));
    })
    .then(
      () => undefined,
      (err: unknown) => err,
    );
  t.ok(isDatabaseUnavailable(onItsOwn), `so does a COPY on a connection of its own (${String(onItsOwn)})`);

  const { rows } = await sql<{ one: number }>`select 1 as one`.execute(database.db);
  t.same(rows, [{ one: 1 }], 'and the pool serves again with new connections');
});
