import t from 'tap';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import pg from 'pg';
import { claimKey } from '../../../src/modules/versions/idempotency.js';
import { finishJob, insertJob } from '../../../src/modules/jobs/repository.js';
import { serverUrl } from '../../helpers/database.js';
import { datasetBody } from '../../helpers/datasets.js';
import { until } from '../../helpers/live-server.js';
import { createAgency, createTestApp } from '../../helpers/test-app.js';

// Who may use an Idempotency-Key while an earlier claim of it is unfinished: never while the
// claiming push lives, at once when its process has ended (db/instance.ts).
const ctx = await createTestApp(t);
const { app, database } = ctx;
const db = database.db;
await createAgency(ctx, 'DINSOS-6571', '65.71');
const producer = await ctx.login('producer', 'DINSOS-6571');

const good = [
  { indicator: 'PPKS-06', region: '65.71', period: '2025', value: 128, sex: 'L' },
  { indicator: 'PPKS-01', region: '65.71.01', period: '2025', value: 4 },
];

async function newDataset(): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v1/datasets', headers: producer.auth, payload: datasetBody });
  return res.json().id as string;
}
const push = (id: string, key: string | undefined, observations: unknown[] = good) =>
  app.inject({ method: 'POST', url: `/v1/datasets/${id}/versions`, headers: { ...producer.auth, ...(key ? { 'idempotency-key': key } : {}) }, payload: { observations } });
const versions = async (id: string) => (await sql<{ n: number }>`select count(*)::int as n from dataset_versions where dataset_id = ${id}`.execute(db)).rows[0]!.n;
const keyRow = (key: string) => db.selectFrom('idempotency_keys').selectAll().where('client_id', '=', producer.clientId).where('key', '=', key).executeTakeFirst();

/** An unfinished claim as a process left it: `owner` is its instance id. */
async function leftClaim(id: string, key: string, owner: string, age = '0 seconds') {
  await db
    .insertInto('idempotency_keys')
    .values({
      client_id: producer.clientId,
      key,
      target: `POST /v1/datasets/${id}/versions?dryRun=false`,
      status: 'in_progress',
      owner,
      claim: randomUUID(),
      response_body: null,
      created_at: sql`now() - ${age}::interval`,
    })
    .execute();
}

t.test('a push still being received holds its key: a duplicate gets 409', async (t) => {
  const id = await newDataset();
  let finish!: () => void;
  const rest = new Promise<void>((resolve) => (finish = resolve));
  async function* slowCsv() {
    yield Buffer.from('indicator,region,period,value\n');
    await rest;
    yield Buffer.from('PPKS-06,65.71,2025,1\n');
  }
  const slow = app.inject({
    method: 'POST',
    url: `/v1/datasets/${id}/versions`,
    headers: { ...producer.auth, 'idempotency-key': 'live', 'content-type': 'text/csv' },
    payload: Readable.from(slowCsv()),
  });
  await until(() => keyRow('live'));
  const duplicate = await push(id, 'live');
  t.equal(duplicate.statusCode, 409, duplicate.body);
  t.equal(duplicate.json().code, 'IDEMPOTENCY_IN_PROGRESS');
  finish();
  t.equal((await slow).statusCode, 201);
  t.equal(await versions(id), 1, 'the duplicate made no version');
  t.match(await keyRow('live'), { status: 'done', owner: database.instanceId });
});

t.test('a claim whose process has ended is free for the retry at once', async (t) => {
  const id = await newDataset();
  await leftClaim(id, 'ended', randomUUID());
  const retry = await push(id, 'ended');
  t.equal(retry.statusCode, 201, retry.body);
  t.equal(retry.headers['idempotent-replayed'], undefined, 'pushed, not replayed');
  t.equal(await versions(id), 1);
  t.equal((await push(id, 'ended')).headers['idempotent-replayed'], 'true', 'and the key now replays');
});

t.test('a claim this process left behind (its release failed) is free too', async (t) => {
  const id = await newDataset();
  await leftClaim(id, 'left', database.instanceId);
  t.equal((await push(id, 'left')).statusCode, 201);
});

t.test('a push its dead process had stored before answering is answered from that version', async (t) => {
  const id = await newDataset();
  const first = await push(id, undefined);
  t.equal(first.statusCode, 201);
  await leftClaim(id, 'stored', randomUUID(), '1 hour');
  const retry = await push(id, 'stored');
  t.equal(retry.statusCode, 201);
  t.equal(retry.headers['idempotent-replayed'], 'true');
  t.match(retry.json(), { version: 1, status: 'submitted', content_sha256: first.json().content_sha256, summary: first.json().summary, findings: [] });
  t.equal(retry.json().findings_truncated, first.json().findings.length > 0, 'its findings, if any, paged from the report');
  t.equal(await versions(id), 1, 'no second version');
  t.same((await push(id, 'stored')).json(), retry.json(), 'replayed the same way from then on');

  // A version with that content from before the claim was someone else's push: this one never got that far.
  await leftClaim(id, 'older', randomUUID());
  const pushed = await push(id, 'older');
  t.equal(pushed.json().version, 2);
});

t.test('a key answered with a job follows the job: free again once the job has failed', async (t) => {
  const id = await newDataset();
  const jobKey = async (key: string, status: 'failed' | 'succeeded') => {
    const jobId = await insertJob(db, { kind: 'push', dataset_id: id, client_id: producer.clientId, format: 'json', dry_run: false, rows_expected: 2, version: null, payload: {}, owner: database.instanceId }, undefined);
    await finishJob(db, { id: jobId, attempt: 0 }, status === 'failed' ? { status, problem: { code: 'JOB_INTERRUPTED', params: {}, errors: [] } } : { status, version: null, report: {} });
    const body = { job_id: jobId, status: 'running', dataset_id: id, rows_expected: 2, links: { self: `/v1/jobs/${jobId}` } };
    const first = await push(id, undefined);
    await db
      .insertInto('idempotency_keys')
      .values({ client_id: producer.clientId, key, target: `POST /v1/datasets/${id}/versions?dryRun=false`, status: 'done', owner: randomUUID(), claim: randomUUID(), request_sha256: first.json().content_sha256, response_status: 202, response_body: JSON.stringify(body) })
      .execute();
    return jobId;
  };
  const succeeded = await jobKey('job-ok', 'succeeded');
  const replayed = await push(id, 'job-ok');
  t.equal(replayed.statusCode, 202, 'a job that succeeded: the key replays it');
  t.equal(replayed.json().job_id, succeeded);
  await jobKey('job-failed', 'failed');
  const before = await versions(id);
  const retried = await push(id, 'job-failed');
  t.equal(retried.statusCode, 201, retried.body);
  t.equal(await versions(id), before + 1, 'pushed again');
});

t.test('a push whose claim was taken over stops before writing', async (t) => {
  const id = await newDataset();
  const claim = await claimKey(database, producer.clientId, 'taken', { datasetId: id, dryRun: false });
  await db.updateTable('idempotency_keys').set({ claim: 'someone else' }).where('key', '=', 'taken').execute();
  let ran = false;
  await t.rejects(
    claim.guard(database).withConnection(async () => {
      ran = true;
    }),
    { code: 'IDEMPOTENCY_IN_PROGRESS' },
  );
  t.notOk(ran);
  await claim.release();
  t.match(await keyRow('taken'), { claim: 'someone else' }, 'and its release leaves the new claim alone');
});

t.test('on a server: another live process keeps its claims', { skip: serverUrl ? false : 'PGlite belongs to one process: no other live owner can exist' }, async (t) => {
  const url = new URL(serverUrl!);
  url.pathname = `/${(await sql<{ name: string }>`select current_database() as name`.execute(db)).rows[0]!.name}`;
  const other = new pg.Client({ connectionString: url.toString() });
  await other.connect();
  t.teardown(() => other.end());
  const id = await newDataset();

  // Another instance: it holds its instance lock, as its listening connection does.
  const owner = randomUUID();
  await other.query(`select pg_advisory_lock(hashtext('sde-instance:' || $1))`, [owner]);
  await leftClaim(id, 'theirs', owner);
  t.equal((await push(id, 'theirs')).statusCode, 409, 'its claim holds while it lives');
  await other.query(`select pg_advisory_unlock(hashtext('sde-instance:' || $1))`, [owner]);
  t.equal((await push(id, 'theirs')).statusCode, 201, 'and is free once it has ended');

  // The retries after a crash come together, each probing the same dead owner: a probe under
  // way elsewhere must not make that owner look alive.
  const dead = randomUUID();
  await leftClaim(id, 'probed', dead);
  await other.query('begin');
  await other.query(`select pg_advisory_xact_lock_shared(hashtext('sde-instance:' || $1))`, [dead]);
  t.equal((await push(id, 'probed')).statusCode, 201);
  await other.query('commit');

  // A claim whose push is being written (its connection holds the key's lock) holds even when old and ownerless.
  await leftClaim(id, 'writing', randomUUID(), '1 hour');
  await other.query(`select pg_advisory_lock(hashtext($1))`, [`idempotency:${producer.clientId}:writing`]);
  t.equal((await push(id, 'writing')).statusCode, 409);
  await other.query(`select pg_advisory_unlock(hashtext($1))`, [`idempotency:${producer.clientId}:writing`]);

  // A live process's claim with nothing running on it for ten minutes was left behind.
  const alive = randomUUID();
  await other.query(`select pg_advisory_lock(hashtext('sde-instance:' || $1))`, [alive]);
  await leftClaim(id, 'stale', alive, '11 minutes');
  t.equal((await push(id, 'stale')).statusCode, 201);

  // While a claimed push is written, its connection holds the key's lock.
  const claim = await claimKey(database, producer.clientId, 'held', { datasetId: id, dryRun: false });
  const probe = async () => (await other.query<{ free: boolean }>(`select pg_try_advisory_xact_lock(hashtext($1)) as free`, [`idempotency:${producer.clientId}:held`])).rows[0]!.free;
  t.equal(await claim.guard(database).withConnection(probe), false, 'held while the push runs');
  t.equal(await probe(), true, 'and let go after it');
  await claim.release();
});
