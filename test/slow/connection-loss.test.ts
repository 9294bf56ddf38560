import t from 'tap';
import pg from 'pg';
import { serverUrl } from '../helpers/database.js';
import { bigCsv, desaOf65, startServer, producerWithDataset, until, type Answer } from '../helpers/live-server.js';
import { processDatabase } from '../helpers/server-process.js';

// Someone (an operator, a failover, a pooler) cuts the service's database connections while
// it works: whatever used them fails with 503, the process lives on, and it recovers alone.
const skip = serverUrl ? false : 'pg_terminate_backend needs a Postgres server (TEST_DATABASE_URL); PGlite runs inside the process and has no connections to cut';
// Starting the real process (its TypeScript compiled on the fly) takes minutes on a busy machine.
t.setTimeout(600_000);

t.test('terminated database connections fail their requests with 503; the process lives on and recovers', { skip }, async (t) => {
  const database = await processDatabase(t);
  const server = await startServer(t, { ...database, PUSH_ASYNC_ROWS: '10000000', UPLOAD_LIMIT_BYTES: String(64 * 1024 * 1024) });
  const sql = new pg.Client({ connectionString: database.DATABASE_URL, application_name: 'connection-loss-test' });
  await sql.connect();
  t.teardown(() => sql.end());
  const ours = `datname = current_database() and application_name like 'satu-data-exchange%'`;
  const terminate = async () => (await sql.query<{ n: number }>(`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where ${ours}`)).rows[0]!.n;
  const backends = async (condition: string) => (await sql.query(`select pid from pg_stat_activity where ${ours} and ${condition}`)).rowCount ?? 0;
  const listening = () => backends(`application_name = 'satu-data-exchange listener'`);
  const writingObservations = () => backends(`xact_start is not null and query ilike 'copy observations%'`);

  const indicators = ['PPKS-01', 'PPKS-06'];
  const { admin, producer, datasetId } = await producerWithDataset(server, indicators);
  const url = `/v1/datasets/${datasetId}/versions`;
  const csv = bigCsv(await desaOf65(server, admin), indicators, 12);
  const unavailable = (a: Answer) => a.status === 503 && a.type.startsWith('application/problem+json') && a.json.code === 'DATABASE_UNAVAILABLE';

  await t.test('a push caught writing its observations', async (t) => {
    const push = server.call(producer, 'POST', url, csv);
    await until(writingObservations);
    t.ok((await terminate()) >= 2, 'the push and the listening connection, at least, were cut');
    const answer = await push;
    t.ok(answer.status === 201 || unavailable(answer), `201 or 503 problem+json (got ${answer.status} ${JSON.stringify(answer.json).slice(0, 300)})`);
  });

  await t.test('pulls and small pushes running at once', async (t) => {
    const answers: Answer[] = [];
    let running = true;
    const small = (i: number) => ({ observations: [{ indicator: 'PPKS-06', region: '65', period: String(1900 + i), value: i }] });
    const worker = async (n: number) => {
      for (let i = 0; running; i++) {
        answers.push(await (i % 2 ? server.call(admin, 'GET', '/v1/figures?limit=1000') : server.call(producer, 'POST', url, small(n * 1000 + i))));
      }
    };
    const workers = Promise.all([0, 1, 2, 3].map(worker));
    await until(() => backends(`state = 'active' and application_name = 'satu-data-exchange'`));
    await terminate();
    const after = answers.length;
    await until(() => answers.length >= after + 8);
    running = false;
    await workers;
    const wrong = answers.filter((a) => !(a.status === 200 || a.status === 201 || unavailable(a)));
    t.same(wrong.map((a) => `${a.status} ${JSON.stringify(a.json).slice(0, 200)}`), [], 'every answer is a success or a 503 problem');
  });

  await t.test('a push job caught in its transaction is run again and stores its version once', async (t) => {
    const before = ((await server.call(admin, 'GET', `${url}?limit=1000`)).json.data ?? []).length;
    const accepted = await server.call(producer, 'POST', url, csv, { prefer: 'respond-async' });
    t.equal(accepted.status, 202);
    const self = (accepted.json.links as { self: string }).self;
    await until(writingObservations);
    await terminate();
    const job = await until(async () => {
      const answer = await server.call(producer, 'GET', self);
      return answer.status === 200 && answer.json.status !== 'running' && answer;
    });
    t.equal(job.json.status, 'succeeded', 'trouble of the moment is retried, not reported');
    t.ok((job.json.attempts as number) >= 1);
    t.equal(((await server.call(admin, 'GET', `${url}?limit=1000`)).json.data ?? []).length, before + 1, 'one version more, whichever attempt stored it');
  });

  await t.test('idle connections and the listening one alone', async (t) => {
    await until(listening);
    t.ok((await terminate()) >= 1);
    await until(listening);
    t.pass('the listener reconnected by itself');
  });

  await t.test('afterwards the same process serves as before', async (t) => {
    t.ok(server.alive, 'the process is still running');
    await until(async () => (await server.call(admin, 'GET', '/health/ready')).status === 200);
    const pushed = await server.call(producer, 'POST', url, { observations: [{ indicator: 'PPKS-06', region: '65', period: '2025', value: 42 }] });
    t.equal(pushed.status, 201, JSON.stringify(pushed.json).slice(0, 300));
    const pulled = await server.call(admin, 'GET', '/v1/figures?limit=10');
    t.equal(pulled.status, 200);
    t.notMatch(server.proc.output.stderr, /Unhandled 'error' event|uncaught/i, 'nothing went unhandled');
  });
});
