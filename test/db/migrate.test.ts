import t from 'tap';
import { sql } from 'kysely';
import { migrateToLatest } from '../../src/db/migrate.js';
import { migrations } from '../../migrations/index.js';
import { createDb } from '../../src/db/create-db.js';
import { openTestDatabase, serverConfig, serverUrl, withDatabase } from '../helpers/database.js';
import pg from 'pg';
import { readReferenceCsv } from '../../migrations/reference-files.js';

t.test('reference data is loaded completely', async (t) => {
  // Counts every region of the country, so not the small fixture.
  const database = await openTestDatabase(t, { regions: 'full' });
  const { rows } = await sql<{ level: number; n: number }>`select level, count(*)::int as n from regions group by level order by level`.execute(database.db);
  t.same(rows, [
    { level: 1, n: 38 },
    { level: 2, n: 514 },
    { level: 3, n: 7285 },
    { level: 4, n: 83762 },
  ]);
  const indicators = await sql<{ n: number }>`select count(*)::int as n from indicators`.execute(database.db);
  t.equal(indicators.rows[0]!.n, 41);
  const population = await sql<{ total: number }>`select total::int as total from populations where region_code = '33.73'`.execute(database.db);
  t.ok(population.rows[0]!.total > 150_000 && population.rows[0]!.total < 250_000, 'Kota Salatiga has about 200,000 people');
  const orphans = await sql<{ n: number }>`select count(*)::int as n from regions where level > 1 and parent_code is null`.execute(database.db);
  t.equal(orphans.rows[0]!.n, 0, 'every region below provinsi has a parent');
});

t.test('the regions stored are the reference file, with the key and indexes the schema declares', async (t) => {
  // PGlite loads them by COPY, a server from the parsed file: both must store the file as read.
  const database = await openTestDatabase(t, { regions: 'full' });
  const file = readReferenceCsv('wilayah-kepmendagri-2025.csv');
  const { rows } = await sql<{ code: string; name: string; kind: string; parent_code: string | null }>`
    select code, name, kind, parent_code from regions order by code`.execute(database.db);
  t.equal(rows.length, file.length);
  const stored = new Map(rows.map((r) => [r.code, r.name]));
  t.same(file.filter((r) => stored.get(r.code!) !== r.name), [], 'every code has the name of the file, trimmed');
  t.same(rows.find((r) => r.code === '14.02.09.2010'), { code: '14.02.09.2010', name: 'Lambang Sari I, II, III', kind: 'desa', parent_code: '14.02.09' }, 'a quoted name keeps its commas');
  t.same(rows.find((r) => r.code === '31.72'), { code: '31.72', name: 'Kota Administrasi Jakarta Utara', kind: 'kota', parent_code: '31' });
  const indexes = await sql<{ indexname: string }>`select indexname from pg_indexes where tablename = 'regions' order by indexname`.execute(database.db);
  t.same(indexes.rows.map((r) => r.indexname), ['regions_level_idx', 'regions_name_trgm_idx', 'regions_parent_code_idx', 'regions_pkey']);
  const fk = await sql<{ def: string }>`select pg_get_constraintdef(oid) as def from pg_constraint where conname = 'regions_parent_code_fkey'`.execute(database.db);
  t.same(fk.rows, [{ def: 'FOREIGN KEY (parent_code) REFERENCES regions(code)' }]);
  await t.rejects(sql`insert into regions (code, name, level, kind, parent_code) values ('99.01', 'x', 2, 'kabupaten', '99')`.execute(database.db), { code: '23503' }, 'the parent key is enforced again');
});

t.test('a second run applies nothing and reloads nothing', async (t) => {
  const database = await openTestDatabase(t);
  const before = await sql<{ n: number }>`select count(*)::int as n from regions`.execute(database.db);
  const outcome = await migrateToLatest(database.db);
  t.same(outcome.applied, []);
  const after = await sql<{ n: number }>`select count(*)::int as n from regions`.execute(database.db);
  t.equal(after.rows[0]!.n, before.rows[0]!.n);
});

t.test('two instances migrating one empty server database together apply each migration once', { skip: serverUrl ? false : 'needs TEST_DATABASE_URL (a Postgres server)' }, async (t) => {
  const name = `sde_test_concurrent_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.query(`create database "${name}"`);
  const a = createDb(serverConfig(withDatabase(serverUrl!, name)));
  const b = createDb(serverConfig(withDatabase(serverUrl!, name)));
  t.teardown(async () => {
    await a.close();
    await b.close();
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  });
  const [ra, rb] = await Promise.all([migrateToLatest(a.db), migrateToLatest(b.db)]);
  t.same([...ra.applied, ...rb.applied].sort(), Object.keys(migrations).sort(), 'each migration applied by exactly one of them');
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from regions`.execute(a.db);
  t.equal(rows[0]!.n, 91_599);
});
