import t from 'tap';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { DB } from '../../src/db/schema.js';
import { refreshStatistics, StatisticsUpkeep } from '../../src/db/table-statistics.js';
import { openTestDatabase, serverUrl, withDatabase } from '../helpers/database.js';
import pg from 'pg';

/** The test database, with autovacuum kept off the table the tests write: on a server that runs it, it could analyse the table first. */
async function openDatabase(t: Parameters<typeof openTestDatabase>[0]) {
  const database = await openTestDatabase(t);
  await sql`alter table audit_log set (autovacuum_enabled = off)`.execute(database.db);
  await refreshStatistics(database.db); // whatever the test database's own loading left
  return database;
}

/** Adds `n` audit entries and has their counts reach the statistics views at once (they are otherwise sent at most once a second). */
async function addAuditRows(db: Kysely<DB>, n: number) {
  await db.connection().execute(async (conn) => {
    await sql`insert into audit_log (action, entity_type, entity_id) select 'test.write', 'test', g::text from generate_series(1, ${n}::int) g`.execute(conn);
    await sql`select pg_stat_force_next_flush()`.execute(conn);
  });
}

const estimatedRows = async (db: Kysely<DB>, table: string) =>
  (await sql<{ n: number }>`select reltuples::int as n from pg_class where oid = ${table}::regclass`.execute(db)).rows[0]!.n;

t.test('a table that changed by more than a tenth is analysed, and then not again until it changes', async (t) => {
  const { db } = await openDatabase(t);
  await addAuditRows(db, 2_000);
  t.ok((await estimatedRows(db, 'audit_log')) < 2_000, 'the planner does not know the rows yet');
  t.same(await refreshStatistics(db, () => false), [], 'a process stopping analyses nothing more');
  const analysed = await refreshStatistics(db);
  t.ok(analysed.includes('audit_log'), `analysed: ${analysed.join(', ')}`);
  t.ok((await estimatedRows(db, 'audit_log')) >= 2_000, 'the planner knows them now');
  t.same(await refreshStatistics(db), [], 'nothing changed since: nothing analysed');
  await addAuditRows(db, 10);
  t.same(await refreshStatistics(db), [], 'fewer changes than autovacuum would wait for');
});

t.test('one process at a time: while another holds the upkeep, a process skips its turn', { skip: serverUrl ? false : 'needs a server: one PGlite process holds every lock itself' }, async (t) => {
  const database = await openDatabase(t);
  await addAuditRows(database.db, 2_000);
  const name = (await sql<{ db: string }>`select current_database() as db`.execute(database.db)).rows[0]!.db;
  const other = new pg.Client({ connectionString: withDatabase(serverUrl!, name) });
  await other.connect();
  t.teardown(() => other.end());
  await other.query('select pg_advisory_lock(7110005, 0)');
  t.same(await refreshStatistics(database.db), []);
  await other.query('select pg_advisory_unlock(7110005, 0)');
  t.ok((await refreshStatistics(database.db)).includes('audit_log'));
});

t.test('the upkeep logs what it analysed, and a database it cannot reach is a warning, not a crash', async (t) => {
  const { db } = await openDatabase(t);
  await addAuditRows(db, 2_000);
  const infos: object[] = [];
  const warnings: object[] = [];
  const log = { info: (details: object) => infos.push(details), warn: (details: object) => warnings.push(details) };
  await new StatisticsUpkeep(db, 60_000, log).runOnce();
  t.match(infos, [{ tables: ['audit_log'], ms: Number }]);
  // Nothing listens on port 1: every connection is refused at once.
  const unreachable = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 2_000 }) }) });
  t.teardown(() => unreachable.destroy());
  await new StatisticsUpkeep(unreachable, 60_000, log).runOnce();
  t.match(warnings, [{ err: { code: 'ECONNREFUSED' } }]);
  t.equal(infos.length, 1, 'nothing refreshed is reported');
});
