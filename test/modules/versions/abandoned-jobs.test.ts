import t from 'tap';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { failAbandonedJobs, insertJob, lockJob } from '../../../src/modules/versions/job-repository.js';
import { serverUrl } from '../../helpers/database.js';
import { datasetBody } from '../../helpers/datasets.js';
import { createAgency, createTestApp } from '../../helpers/test-app.js';

// Which running jobs a starting process may mark failed: those whose process has ended.
const ctx = await createTestApp(t);
const { database } = ctx;
const db = database.db;
await createAgency(ctx, 'DINSOS-6571', '65.71');
const producer = await ctx.login('producer', 'DINSOS-6571');
const datasetId = (await ctx.app.inject({ method: 'POST', url: '/v1/datasets', headers: producer.auth, payload: datasetBody })).json().id as string;

const job = (owner: string) => insertJob(db, { dataset_id: datasetId, client_id: producer.clientId, format: 'csv', dry_run: false, rows_expected: 10, owner });
const statusOf = async (id: string) => (await db.selectFrom('push_jobs').select(['status', 'problem']).where('id', '=', id).executeTakeFirstOrThrow());
// Every test leaves no running job behind, so each counts only its own.
const sweep = () => failAbandonedJobs(db, 60, database.instanceId);

t.test('a job whose process has ended fails at once, however young', async (t) => {
  const id = await job(randomUUID());
  t.equal(await sweep(), 1);
  t.match(await statusOf(id), { status: 'failed', problem: { code: 'JOB_INTERRUPTED' } });
});

t.test("this process's own jobs are left alone", async (t) => {
  const id = await job(database.instanceId);
  t.equal(await sweep(), 0);
  t.equal((await statusOf(id)).status, 'running');
  await db.updateTable('push_jobs').set({ status: 'succeeded' }).where('id', '=', id).execute();
});

t.test('a job from before owners were recorded gets its minute', async (t) => {
  const id = await job(randomUUID());
  await db.updateTable('push_jobs').set({ owner: null }).where('id', '=', id).execute();
  t.equal(await sweep(), 0, 'young: it may not have taken its lock yet');
  await db.updateTable('push_jobs').set({ created_at: sql`now() - interval '2 minutes'` }).where('id', '=', id).execute();
  t.equal(await sweep(), 1);
});

t.test('a job given up for abandoned stores nothing after all', async (t) => {
  const id = await job(randomUUID());
  await sweep();
  await t.rejects(
    db.transaction().execute((trx) => lockJob(trx, id)),
    { code: 'JOB_INTERRUPTED' },
  );
});

t.test('on a server: a job whose process lives, or whose push holds its lock, is left alone', { skip: serverUrl ? false : 'PGlite belongs to one process: no other live owner can exist' }, async (t) => {
  const url = new URL(serverUrl!);
  url.pathname = `/${(await sql<{ name: string }>`select current_database() as name`.execute(db)).rows[0]!.name}`;
  const other = new pg.Client({ connectionString: url.toString() });
  await other.connect();
  t.teardown(() => other.end());

  const owner = randomUUID();
  await other.query(`select pg_advisory_lock(hashtext('sde-instance:' || $1))`, [owner]);
  const alive = await job(owner);
  const writing = await job(randomUUID());
  await other.query(`select pg_advisory_lock(hashtext('push-job:' || $1))`, [writing]);
  t.equal(await sweep(), 0);
  await other.query('select pg_advisory_unlock_all()');
  t.equal(await sweep(), 2, 'both are abandoned once those locks are free');
  t.equal((await statusOf(alive)).status, 'failed');
});
