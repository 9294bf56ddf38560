import t from 'tap';
import { ADMIN, bigCsv, desaOf65, producerWithDataset, startServer, until } from '../helpers/live-server.js';
import { processDatabase } from '../helpers/server-process.js';

// Kill the process in the middle of a push job: nothing of it was stored (one transaction),
// and the restarted process takes the job up again from its stored body: one version in all,
// and the same Idempotency-Key replays the job.
const database = await processDatabase(t);
const env = { ...database, PUSH_ASYNC_ROWS: '1000', UPLOAD_LIMIT_BYTES: String(64 * 1024 * 1024) };
// Each start of the real process (its TypeScript compiled on the fly) takes minutes on a busy machine.
t.setTimeout(600_000);

t.test('SIGKILL while a push job is being written: the restarted process finishes the job, with one version', async (t) => {
  const first = await startServer(t, env);
  const indicators = Array.from({ length: 12 }, (_, i) => `PPKS-${String(i + 1).padStart(2, '0')}`);
  const { admin, producer, datasetId } = await producerWithDataset(first, indicators);
  const url = `/v1/datasets/${datasetId}/versions`;
  // Every desa of Kalimantan Utara × 12 indicators × 20 years: long enough to be killed in.
  const desa = await desaOf65(first, admin);
  t.ok(desa.length > 400, `${desa.length} desa`);
  const csv = bigCsv(desa, indicators, 20);
  const pushed = await first.call(producer, 'POST', url, csv, { 'idempotency-key': 'kaltara-2025' });
  t.equal(pushed.status, 202, 'a large push runs as a job');
  const job = (pushed.json.links as { self: string }).self;

  // On a server, wait until rows are being written. On PGlite the job's transaction holds the
  // only connection, so nothing can be read while it runs: the job has started (it starts
  // before its 202 is sent), and the process is killed at once.
  if (database.DATABASE_URL) {
    await until(async () => (((await first.call(admin, 'GET', job)).json.progress as { rows_read: number } | null)?.rows_read ?? 0) >= 10_000);
    t.equal((await first.call(admin, 'GET', job)).json.status, 'running', 'killed while running');
  }
  await first.kill();

  const second = await startServer(t, env);
  const admin2 = await second.token(ADMIN.id, ADMIN.secret);
  // The job's process has ended (its instance lock is free), so the restarted one runs it again.
  // Only an answer counts: on PGlite the job holds the only connection, and on a busy machine
  // the server may drop a status request that waited for it longer than its request timeout.
  const done = await until(async () => {
    const answer = await second.call(producer, 'GET', job);
    return answer.status === 200 && answer.json.status !== 'running' && answer;
  });
  t.match(done.json, { status: 'succeeded', version: 1, report: { summary: { rows_read: csv.trimEnd().split('\n').length - 1 } } });
  // On a server it was killed while running it (a busy machine may add a retry after an error
  // of the moment); on PGlite perhaps before it had taken it up.
  if (database.DATABASE_URL) t.ok((done.json.attempts as number) >= 2, `taken up again (${String(done.json.attempts)} attempts)`);
  t.equal(((await second.call(admin2, 'GET', url)).json.data ?? []).length, 1, 'one version in all');
  const replay = await second.call(producer, 'POST', url, csv, { 'idempotency-key': 'kaltara-2025' });
  t.equal(replay.status, 202);
  t.equal(replay.json.job_id, pushed.json.job_id, 'the key replays that job');
  await second.stop();
});
