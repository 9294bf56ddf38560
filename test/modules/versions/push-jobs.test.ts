import t from 'tap';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datasetBody } from '../../helpers/datasets.js';
import { createAgency, createTestApp } from '../../helpers/test-app.js';

// Spool files of this file's pushes land in a directory of its own, to be counted.
process.env.TMPDIR = await mkdtemp(join(tmpdir(), 'sde-jobs-test-'));

// Pushes above PUSH_ASYNC_ROWS (5 here) run as jobs.
const ctx = await createTestApp(t, { PUSH_ASYNC_ROWS: '5' });
const { app } = ctx;
await createAgency(ctx, 'DINSOS-6571', '65.71');
const producer = await ctx.login('producer', 'DINSOS-6571');
const otherProducer = await ctx.login('producer', 'DINSOS-6571');
const walidata = await ctx.login('walidata');

const created = await app.inject({ method: 'POST', url: '/v1/datasets', headers: producer.auth, payload: datasetBody });
const datasetId = created.json().id as string;
const url = `/v1/datasets/${datasetId}/versions`;

const rows = (n: number) => ['indicator,region,period,value', ...Array.from({ length: n }, (_, i) => `PPKS-06,65.71.0${1 + (i % 4)},202${i >> 2},${10 + i}`)].join('\n') + '\n';
const csv = (body: string, headers: Record<string, string> = {}) => app.inject({ method: 'POST', url, headers: { ...producer.auth, 'content-type': 'text/csv', ...headers }, payload: body });

// Polls until the job is over, however long a busy machine takes (tap's timeout is the limit).
async function finished(location: string, auth = producer.auth) {
  for (;;) {
    const res = await app.inject({ url: location, headers: auth });
    if (res.json().status !== 'running') return res;
    await new Promise((r) => setTimeout(r, 25));
  }
}

const spools = async () => (await readdir(tmpdir())).filter((f) => f.startsWith('sde-push-'));

t.test('a push above the threshold answers 202 and its job ends with the same report a synchronous push gives', async (t) => {
  const res = await csv(rows(8));
  t.equal(res.statusCode, 202, res.body);
  t.match(res.json(), { status: 'running', dataset_id: datasetId, rows_expected: 8 });
  t.equal(res.headers.location, `/v1/jobs/${res.json().job_id}`);
  const job = await finished(res.headers.location as string);
  t.equal(job.statusCode, 200);
  t.match(job.json(), { status: 'succeeded', version: 1, progress: null, problem: null, links: { version: `/v1/datasets/${datasetId}/versions/1` } });
  t.match(job.json().report, { version: 1, status: 'submitted', format: 'csv', summary: { rows_read: 8, accepted: 8, errors: 0 } });
  const version = await app.inject({ url: `${url}/1`, headers: producer.auth });
  t.equal(version.json().row_count, 8);
  t.same(await spools(), [], 'the spool file is removed');
});

t.test('Prefer: respond-async makes even a small push a job; walidata may follow it, another client may not', async (t) => {
  const res = await csv(rows(2), { prefer: 'respond-async' });
  t.equal(res.statusCode, 202);
  t.equal(res.headers['preference-applied'], 'respond-async');
  const job = await finished(res.headers.location as string);
  t.equal(job.json().report.summary.rows_read, 2);
  t.equal((await app.inject({ url: res.headers.location as string, headers: walidata.auth })).statusCode, 200);
  const other = await app.inject({ url: res.headers.location as string, headers: otherProducer.auth });
  t.equal(other.statusCode, 404, 'another client of the same agency does not see it');
  t.equal(other.json().code, 'JOB_NOT_FOUND');
  t.equal((await app.inject({ url: '/v1/jobs/00000000-0000-4000-8000-000000000000', headers: producer.auth })).statusCode, 404);
  t.equal((await app.inject({ url: '/v1/jobs/not-a-uuid', headers: producer.auth })).statusCode, 400);
  t.equal((await app.inject({ url: res.headers.location as string })).statusCode, 401);
});

t.test('a job whose body turns out unreadable ends with a rejected version and its report', async (t) => {
  const res = await csv(`indicator,region,period,value\n${'PPKS-06,65.71,2025,1\n'.repeat(6)}\xff\xfe broken`, { prefer: 'respond-async' });
  t.equal(res.statusCode, 202);
  const job = (await finished(res.headers.location as string)).json();
  t.equal(job.status, 'succeeded', 'a bad file is a finding, not a failed job');
  t.match(job.report, { status: 'rejected', summary: { errors: Number } });
  t.ok(job.report.summary.errors > 0);
});

t.test('an idempotent retry of an async push returns the same job', async (t) => {
  const first = await csv(rows(6), { 'idempotency-key': 'async-1' });
  t.equal(first.statusCode, 202);
  await finished(first.headers.location as string);
  const again = await csv(rows(6), { 'idempotency-key': 'async-1' });
  t.equal(again.statusCode, 202);
  t.equal(again.headers['idempotent-replayed'], 'true');
  t.equal(again.json().job_id, first.json().job_id);
  t.equal((await csv(rows(7), { 'idempotency-key': 'async-1' })).statusCode, 422, 'same key, other body');
});

t.test('JSON pushes count their observations too', async (t) => {
  const observations = Array.from({ length: 6 }, (_, i) => ({ indicator: 'PPKS-06', region: '65.71', period: String(2010 + i), value: i }));
  const res = await app.inject({ method: 'POST', url, headers: producer.auth, payload: { observations } });
  t.equal(res.statusCode, 202);
  t.equal(res.json().rows_expected, 6);
  t.equal((await finished(res.headers.location as string)).json().status, 'succeeded');
});
