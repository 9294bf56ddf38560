import t from 'tap';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../../src/db/schema.js';
import { changeFeedHorizon, writeFigures, type FigureWrite } from '../../../src/modules/reconciliation/repository.js';
import { encodeCursor } from '../../../src/http/pagination.js';
import { createTestApp } from '../../helpers/test-app.js';
import pg from 'pg';
import { serverUrl, withDatabase } from '../../helpers/database.js';

// Figure writers no longer take turns on one lock: sequence numbers are taken when a change is
// written, so they can commit out of order. A reader must still never pass a change that
// commits later (reconciliation/repository.ts, enterChangeFeed and changeFeedHorizon).
const ctx = await createTestApp(t);
const { app, database } = ctx;
const db = database.db;
const walidata = await ctx.login('walidata');

// One key per period, so the writers never touch the same figure.
const write = (period: string, value: string): FigureWrite => ({
  key: { indicator_code: 'PPKS-06', region_code: '65.71', period, disagg_key: '', disagg: {}, candidates: [] },
  state: { status: 'final', value, method: 'manual', sourceVersionId: null, conflictId: null, rationale: 'test', decidedBy: 'test' },
  kind: 'new',
});

const lastSeq = async () => (await sql<{ seq: string | null }>`select max(seq)::text as seq from figure_changes`.execute(db)).rows[0]!.seq ?? '0';
const feedWriterLocks = async (trx: Kysely<DB>) =>
  (await sql<{ n: number }>`select count(*)::int as n from pg_locks where locktype = 'advisory' and objsubid = 1 and classid >= 1073741824 and classid < 2147483648 and pid = pg_backend_pid()`.execute(trx)).rows[0]!.n;

type Page = { data: { figure: { period: string; value: string } }[]; next_cursor: string; has_more: boolean };
/** The page after `since`, a cursor or a sequence number. */
const page = async (since: string): Promise<Page> => {
  const cursor = /^\d+$/.test(since) ? encodeCursor(since) : since;
  return (await app.inject({ url: `/v1/figures/changes?indicator=PPKS-06&since=${cursor}`, headers: walidata.auth })).json();
};
const periods = (p: Page) => p.data.map((c) => c.figure.period);

/** Resolves when `resolve` is called: lets a test order two transactions without sleeping. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

t.test('a writer registers once per transaction, and holds readers below its first number until it ends', async (t) => {
  const before = await lastSeq();
  await db.transaction().execute(async (trx) => {
    await writeFigures(trx, [write('2001', '1')]);
    await writeFigures(trx, [write('2002', '2')]);
    t.equal(await feedWriterLocks(trx), 1, 'one lock, however many writes');
    t.ok(BigInt(await changeFeedHorizon(trx)) <= BigInt(before) + 1n, 'the horizon stops at its first change');
  });
  t.equal(await changeFeedHorizon(db), (BigInt(await lastSeq()) + 1n).toString(), 'committed: everything can be read');
  t.same(periods(await page(before)), ['2001', '2002']);
});

t.test('a rolled-back writer leaves a gap the cursor passes', async (t) => {
  const before = await lastSeq();
  await t.rejects(
    db.transaction().execute(async (trx) => {
      await writeFigures(trx, [write('2003', '3')]);
      throw new Error('rolled back');
    }),
  );
  await db.transaction().execute((trx) => writeFigures(trx, [write('2004', '4')]));
  const p = await page(before);
  t.same(periods(p), ['2004']);
  t.equal(p.next_cursor, encodeCursor((BigInt(before) + 2n).toString()), 'past the number the rolled-back writer took');
});

// PGlite runs one connection: a second transaction waits for the first to end, so two writers
// cannot interleave there and the case below can only run on a server.
t.test('two writers committing in the opposite order of their numbers: no change is skipped', { skip: serverUrl ? false : 'PGlite has one connection: writers cannot interleave' }, async (t) => {
  const before = await lastSeq();
  const firstWrote = gate();
  const releaseFirst = gate();
  // The first writer takes the lower number and commits last.
  const first = db.transaction().execute(async (trx) => {
    await writeFigures(trx, [write('2005', '5')]);
    firstWrote.open();
    await releaseFirst.opened;
  });
  await firstWrote.opened;
  await db.transaction().execute((trx) => writeFigures(trx, [write('2006', '6')]));

  const committed = await sql<{ period: string; seq: string }>`select period, seq::text as seq from figure_changes where seq > ${before}::bigint order by seq`.execute(db);
  t.same(committed.rows.map((r) => r.period), ['2006'], 'only the later number has committed');
  t.ok(BigInt(committed.rows[0]!.seq) > BigInt(before) + 1n, 'and a lower one is still in flight: a cursor at it would skip that one');

  const held = await page(before);
  t.same(periods(held), [], 'the reader waits at the writer still in flight');
  t.equal(held.next_cursor, encodeCursor(before), 'and its cursor does not move past it');

  releaseFirst.open();
  await first;
  const after = await page(held.next_cursor);
  t.same(periods(after), ['2005', '2006'], 'both changes, in number order, once');
  t.same(periods(await page(after.next_cursor)), [], 'nothing twice');
});

// Advisory locks belong to a database, but pg_locks lists those of every database of the server.
t.test('a feed writer of another database on the same server holds nobody back here', { skip: serverUrl ? false : 'PGlite has one database' }, async (t) => {
  const name = `sde_test_other_feed_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.query(`create database "${name}"`);
  const other = new pg.Client({ connectionString: withDatabase(serverUrl!, name) });
  await other.connect();
  t.teardown(async () => {
    await other.end();
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  });
  const before = await lastSeq();
  await db.transaction().execute((trx) => writeFigures(trx, [write('2007', '7')]));
  // What enterChangeFeed takes there (2^62 + 1) for its first change: below every number here.
  await other.query('begin');
  await other.query(`select pg_advisory_xact_lock_shared(4611686018427387905)`);
  t.equal(await changeFeedHorizon(db), (BigInt(await lastSeq()) + 1n).toString(), 'the horizon is past every committed change');
  t.same(periods(await page(before)), ['2007']);
  await other.query('rollback');
});
