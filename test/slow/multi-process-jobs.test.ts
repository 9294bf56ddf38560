import t from 'tap';
import pg from 'pg';
import { serverUrl } from '../helpers/database.js';
import { ADMIN, bigCsv, desaOf65, producerWithDataset, startServer, until, type LiveServer } from '../helpers/live-server.js';
import { processDatabase } from '../helpers/server-process.js';

// Two service processes on one Postgres database: a job accepted by one is run by whichever is
// free, its progress and outcome are seen through either, and a job whose process is killed
// is finished by the other, with exactly one version.
const skip = serverUrl ? false : 'PGlite belongs to one process: two processes need the Postgres server (TEST_DATABASE_URL)';
// Each start of the real process (its TypeScript compiled on the fly) takes minutes on a busy machine.
t.setTimeout(900_000);

t.test('two processes share the jobs', { skip }, async (t) => {
  const database = await processDatabase(t);
  // A lease long enough that a busy machine never lets one lapse by itself: a killed process's
  // jobs are taken at once because its instance lock goes with it (db/instance.ts).
  const env = { ...database, PUSH_ASYNC_ROWS: '1000', JOB_LEASE_MS: '10000', JOB_POLL_MS: '100', UPLOAD_LIMIT_BYTES: String(64 * 1024 * 1024) };
  const [first, second] = await Promise.all([startServer(t, env), startServer(t, env)]);
  const { admin, producer, datasetId } = await producerWithDataset(first, ['PPKS-01', 'PPKS-06']);
  const walidata = async (name: string) => {
    const made = await first.call(admin, 'POST', '/v1/clients', { name, role: 'walidata' });
    return second.token((made.json.client as { client_id: string }).client_id, made.json.client_secret as string);
  };
  const [verifier, publisher] = [await walidata('Walidata pusat A'), await walidata('Walidata pusat B')];
  const versions = `/v1/datasets/${datasetId}/versions`;
  const desa = await desaOf65(first, admin);
  const finished = (server: LiveServer, self: string) =>
    until(async () => {
      const answer = await server.call(admin, 'GET', self);
      return answer.status === 200 && answer.json.status !== 'running' && answer;
    });

  await t.test('push through one, follow the job and publish through the other, pull through the first', async (t) => {
    const figure = `/v1/figures?indicator=PPKS-06&region=${desa[0]}&period=2025`;
    t.same((await first.call(admin, 'GET', figure)).json.data, [], 'nothing published yet');
    const pushed = await first.call(producer, 'POST', versions, `indicator,region,period,value\nPPKS-06,${desa[0]},2025,417\n`, { prefer: 'respond-async' });
    t.equal(pushed.status, 202);
    const job = await finished(second, (pushed.json.links as { self: string }).self);
    t.match(job.json, { kind: 'push', status: 'succeeded', version: 1, attempts: 1, report: { status: 'submitted' } });

    t.equal((await second.call(verifier, 'POST', `${versions}/1/review`, { action: 'verify' })).status, 200);
    const publishing = await second.call(publisher, 'POST', `${versions}/1/review`, { action: 'publish' }, { prefer: 'respond-async' });
    t.equal(publishing.status, 202, JSON.stringify(publishing.json));
    t.equal(publishing.headers.get('preference-applied'), 'respond-async');
    const location = publishing.headers.get('location')!;
    t.match(publishing.json, { status: 'running', version: 1, links: { self: location } });
    const published = await finished(first, location);
    t.match(published.json, { kind: 'publish', status: 'succeeded', version: 1, result: { action: 'publish', status: 'published', reconciliation: { keys: 1 } } });

    // The first process learns of the publication by the database's notification, a moment after it committed.
    const pulled = await until(async () => {
      const answer = await first.call(admin, 'GET', figure);
      return (answer.json.data ?? []).length > 0 && answer;
    });
    t.match(pulled.json.data, [{ indicator: 'PPKS-06', region: desa[0], period: '2025', value: '417' }]);
  });

  const client = async () => {
    const c = new pg.Client({ connectionString: database.DATABASE_URL, application_name: 'multi-process-jobs-test' });
    await c.connect();
    t.teardown(() => c.end());
    return c;
  };
  // The push's last write is its audit entry: holding that table makes every claim of the
  // job stop there, its observations written but not committed, until the test lets go.
  const [holder, watcher] = [await client(), await client()];
  // Asked outside any transaction: inside one, the activity view would not change.
  const waitingForAudit = async () =>
    (await watcher.query(`select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike 'insert into "audit_log"%'`)).rowCount === 1;
  const claimedBy = (server: LiveServer, id: string, attempt: number) => server.proc.output.stdout.includes(`"job":"${id}","kind":"push","attempt":${attempt},`);
  const versionCount = async () => ((await first.call(admin, 'GET', versions)).json.data as unknown[]).length;

  await t.test('a process that hangs mid-job (SIGSTOP) loses it when its lease lapses; woken, it commits nothing', async (t) => {
    const before = await versionCount();
    await holder.query('begin');
    await holder.query('lock table audit_log in exclusive mode');
    const accepted = await first.call(producer, 'POST', versions, bigCsv(desa, ['PPKS-01'], 2), { prefer: 'respond-async' });
    t.equal(accepted.status, 202);
    const id = accepted.json.job_id as string;
    const running = await until(() => (claimedBy(first, id, 1) ? first : claimedBy(second, id, 1) ? second : undefined));
    const other = running === first ? second : first;
    await until(waitingForAudit);
    running.pause();
    t.teardown(() => running.resume());

    // A stopped process renews nothing: once its lease (JOB_LEASE_MS) lapses, the other claims the job.
    await until(() => claimedBy(other, id, 2));
    // The hung attempt's transaction still holds the job: the new one waits for it to end.
    await holder.query('commit');
    running.resume();
    const done = await finished(other, `/v1/jobs/${id}`);
    t.match(done.json, { status: 'succeeded', attempts: 2, version: before + 1 }, 'the second attempt made the version');
    t.equal(await versionCount(), before + 1, 'exactly one version more: the woken attempt rolled back');
    await until(() => running.proc.output.stdout.includes(`"job":"${id}","attempt":1,"msg":"job lease lost`));
    t.ok(running.alive, 'and the woken process carries on serving');
    t.equal((await running.call(admin, 'GET', `/v1/jobs/${id}`)).json.status, 'succeeded');
  });

  await t.test('kill -9 the process running a push job: the other finishes it, with one version', async (t) => {
    const before = await versionCount();
    await holder.query('begin');
    await holder.query('lock table audit_log in exclusive mode');

    const csv = bigCsv(desa, ['PPKS-01', 'PPKS-06'], 4);
    const rows = csv.trimEnd().split('\n').length - 1;
    const accepted = await second.call(producer, 'POST', versions, csv, { prefer: 'respond-async' });
    t.equal(accepted.status, 202);
    const id = accepted.json.job_id as string;
    const running = await until(() => (claimedBy(first, id, 1) ? first : claimedBy(second, id, 1) ? second : undefined));
    const other = running === first ? second : first;

    // Its progress, written by the process that runs it, is read through the other one.
    const progress = await until(async () => {
      const answer = await other.call(admin, 'GET', `/v1/jobs/${id}`);
      const p = answer.json.progress as { rows_read: number } | null;
      return p && p.rows_read === rows && answer.json.progress;
    });
    t.match(progress, { rows_read: rows, accepted: rows, errors: 0 });
    await until(waitingForAudit);
    await running.kill();

    await until(() => claimedBy(other, id, 2));
    t.match((await other.call(admin, 'GET', `/v1/jobs/${id}`)).json, { status: 'running', attempts: 2 }, 'taken up by the survivor');
    await holder.query('commit');
    const done = await finished(other, `/v1/jobs/${id}`);
    t.match(done.json, { status: 'succeeded', attempts: 2, version: before + 1, report: { version: before + 1, summary: { rows_read: rows, accepted: rows } } });
    const list = (await other.call(admin, 'GET', versions)).json.data as { version: number; row_count: number }[];
    t.same(list.slice(0, 2).map((v) => v.version), [before + 1, before], 'exactly one version more');
    t.equal(list[0]!.row_count, rows, 'and complete');
    const token = await other.token(ADMIN.id, ADMIN.secret);
    const audit = (await other.call(token, 'GET', `/v1/datasets/${datasetId}/history?limit=100`)).json.data as { action: string }[];
    t.equal(audit.filter((a) => a.action === 'dataset.version-pushed').length, before + 1, 'and one audit entry for it');
  });
});
