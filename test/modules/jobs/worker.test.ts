import t from 'tap';
import { sql } from 'kysely';
import { AppError } from '../../../src/http/app-error.js';
import { claimJobs, finishJob, insertJob, jobBody, lockJob, openJob } from '../../../src/modules/jobs/repository.js';
import { JobWorker, type JobHandler, type RunningJob } from '../../../src/modules/jobs/worker-service.js';
import { datasetBody } from '../../helpers/datasets.js';
import { createAgency, createTestApp } from '../../helpers/test-app.js';

// The durable job queue on its own: claims, leases and their fence, retries, progress. The
// app's own worker is off, so each test drives a worker of its own with the handler it needs.
const ctx = await createTestApp(t, { JOB_WORKER: 'false' });
const { database } = ctx;
const db = database.db;
await createAgency(ctx, 'DINSOS-6571', '65.71');
const producer = await ctx.login('producer', 'DINSOS-6571');
const datasetId = (await ctx.app.inject({ method: 'POST', url: '/v1/datasets', headers: producer.auth, payload: datasetBody })).json().id as string;

const silent = { info: () => {}, error: () => {}, warn: () => {} };
// A retry waits an hour: no machine is slow enough to reach it within a test, so a job given back is seen given back.
const settings = { worker: true, concurrency: 2, pollMs: 60_000, leaseMs: 600, maxAttempts: 3, retryMs: 3_600_000, drainMs: 1000 };

async function newJob(body?: Buffer[]) {
  const id = await insertJob(db, { kind: 'push', dataset_id: datasetId, client_id: producer.clientId, format: 'csv', dry_run: false, rows_expected: 1, version: null, payload: { n: 1 }, owner: database.instanceId }, body);
  await openJob(db, id);
  return id;
}
const row = (id: string) => db.selectFrom('push_jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const chunks = async (id: string) => (await db.selectFrom('job_chunks').select(sql<number>`count(*)::int`.as('n')).where('job_id', '=', id).executeTakeFirstOrThrow()).n;
const expire = (id: string) => db.updateTable('push_jobs').set({ lease_until: sql<Date>`now() - interval '1 second'` }).where('id', '=', id).execute();

async function runWith(handler: JobHandler, s: Partial<typeof settings> = {}) {
  const worker = new JobWorker(database, { ...settings, ...s }, { push: handler }, silent);
  worker.start();
  await worker.drain();
  await worker.stop();
}

t.test('a body is stored in chunks and read back whole, in order', async (t) => {
  const big = Buffer.alloc(2.5 * 1024 * 1024, 7);
  big[0] = 1;
  big[big.length - 1] = 2;
  const id = await newJob([big.subarray(0, 1000), big.subarray(1000)]);
  t.equal(await chunks(id), 40, '64 KiB a chunk');
  const back: Buffer[] = [];
  for await (const c of jobBody(db, id)) back.push(c);
  t.ok(Buffer.concat(back).equals(big));
  await finishJob(db, { id, attempt: 0 }, { status: 'failed', problem: {} });
  t.equal(await chunks(id), 0, 'the body goes when the job ends');
});

t.test('a job held by its accepting request is not claimed until opened', async (t) => {
  const id = await insertJob(db, { kind: 'push', dataset_id: datasetId, client_id: producer.clientId, format: 'csv', dry_run: false, rows_expected: 1, version: null, payload: {}, owner: database.instanceId }, undefined);
  t.same(await claimJobs(db, { owner: database.instanceId, leaseMs: 1000, limit: 10, running: [] }), []);
  await openJob(db, id);
  const [claimed] = await claimJobs(db, { owner: database.instanceId, leaseMs: 1000, limit: 10, running: [] });
  t.equal(claimed?.id, id);
  await finishJob(db, { id, attempt: 1 }, { status: 'failed', problem: {} });
});

t.test('a claim whose lease expired is fenced off: only the newer claim can enter or finish', async (t) => {
  const id = await newJob();
  const [first] = await claimJobs(db, { owner: database.instanceId, leaseMs: 60_000, limit: 10, running: [] });
  t.equal(first?.attempts, 1);
  t.same(await claimJobs(db, { owner: database.instanceId, leaseMs: 60_000, limit: 10, running: [] }), [], 'a live lease of this very process is not taken');
  await expire(id);
  const [second] = await claimJobs(db, { owner: database.instanceId, leaseMs: 60_000, limit: 10, running: [] });
  t.equal(second?.attempts, 2, 'an expired lease is taken, as a new attempt');
  t.equal(await db.transaction().execute((trx) => lockJob(trx, { id, attempt: 1 })), false, 'the old claim may not start its transaction');
  t.equal(await finishJob(db, { id, attempt: 1 }, { status: 'succeeded', version: 9, report: {} }), false, 'nor record an outcome');
  t.equal(await db.transaction().execute((trx) => lockJob(trx, { id, attempt: 2 })), true);
  t.equal(await finishJob(db, { id, attempt: 2 }, { status: 'succeeded', version: 1, report: {} }), true);
  t.match(await row(id), { status: 'succeeded', version: 1 });
  t.equal(await finishJob(db, { id, attempt: 2 }, { status: 'failed', problem: {} }), false, 'an ended job stays as it ended');
});

t.test('the worker runs a job, writes its progress for other processes, and its outcome commits with the work', async (t) => {
  const id = await newJob([Buffer.from('abc')]);
  let seenInDb: unknown;
  await runWith(async (job: RunningJob) => {
    const body: Buffer[] = [];
    for await (const c of job.body()) body.push(c);
    job.progress({ step: 1 });
    // The heartbeat (a third of the lease) writes it for the others.
    while (!seenInDb) {
      seenInDb = (await row(job.id)).progress;
      await new Promise((r) => setTimeout(r, 20));
    }
    await db.transaction().execute(async (trx) => {
      await job.enter(trx);
      await job.commit(trx, { version: 7, report: { body: Buffer.concat(body).toString() } });
    });
    return { version: 7, report: { body: 'not this one: the committed outcome stands' } };
  });
  t.same(seenInDb, { step: 1 });
  t.match(await row(id), { status: 'succeeded', version: 7, report: { body: 'abc' }, attempts: 1 });
});

t.test('trouble of the moment is retried; a bad job fails at once; a job that keeps taking its process down is given up', async (t) => {
  const flaky = await newJob();
  let calls = 0;
  await runWith(async () => {
    calls++;
    if (calls === 1) throw new Error('the database went away');
    return { version: null, report: { ok: true } };
  });
  t.equal(calls, 1, 'given back with a delay, not retried at once');
  await db.updateTable('push_jobs').set({ lease_until: null }).where('id', '=', flaky).execute();
  await runWith(async () => {
    calls++;
    return { version: null, report: { ok: true } };
  });
  t.match(await row(flaky), { status: 'succeeded', attempts: 2, report: { ok: true } });

  const bad = await newJob();
  await runWith(async () => {
    throw new AppError('DATASET_NOT_FOUND', { id: datasetId });
  });
  t.match(await row(bad), { status: 'failed', attempts: 1, problem: { code: 'DATASET_NOT_FOUND' } });

  const poison = await newJob();
  await db.updateTable('push_jobs').set({ attempts: settings.maxAttempts }).where('id', '=', poison).execute();
  await runWith(async () => t.fail('not run again') as never);
  t.match(await row(poison), { status: 'failed', problem: { code: 'JOB_INTERRUPTED' } });
});

t.test('on stop, a job that does not finish in time is stopped and given back at once', async (t) => {
  const id = await newJob();
  const worker = new JobWorker(database, { ...settings, drainMs: 50 }, {
    push: async (job) => {
      for (;;) {
        job.progress({});
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  }, silent);
  worker.start();
  while (worker.progress(id) === undefined) await new Promise((r) => setTimeout(r, 10));
  await worker.stop();
  t.match(await row(id), { status: 'running', owner: null, lease_until: null, attempts: 1 });
  const [again] = await claimJobs(db, { owner: 'another', leaseMs: 1000, limit: 1, running: [] });
  t.equal(again?.id, id, 'another process takes it up at once');
  await finishJob(db, { id, attempt: 2 }, { status: 'failed', problem: {} });
});
