import t from 'tap';
import net from 'node:net';
import pg from 'pg';
import { createDb } from '../../src/db/create-db.js';
import { bigCsv, desaOf65, producerWithDataset, startServer, until, type LiveServer } from '../helpers/live-server.js';
import { processDatabase } from '../helpers/server-process.js';

// SIGKILL while pushes hold Idempotency-Keys: the claims stay behind in the database, yet
// after a restart the same key pushes at once; no 409 window.
const database = await processDatabase(t);
const env = { ...database, PUSH_ASYNC_ROWS: '10000000', UPLOAD_LIMIT_BYTES: String(64 * 1024 * 1024) };
// Each start of the real process (its TypeScript compiled on the fly) takes minutes on a busy machine.
t.setTimeout(900_000);

/** The claim the killed process left, read straight from its database. */
async function leftClaim(key: string): Promise<{ status: string } | undefined> {
  if (database.DATABASE_URL) {
    const client = new pg.Client({ connectionString: database.DATABASE_URL });
    await client.connect();
    try {
      return (await client.query<{ status: string }>('select status from idempotency_keys where key = $1', [key])).rows[0];
    } finally {
      await client.end();
    }
  }
  // The dead process's lock file names a pid that no longer runs, so the directory opens.
  const opened = createDb({ kind: 'pglite', dataDir: database.PGLITE_DATA_DIR });
  try {
    return await opened.db.selectFrom('idempotency_keys').select('status').where('key', '=', key).executeTakeFirst();
  } finally {
    await opened.close();
  }
}

/** Sends a request head over a raw connection and returns the status of its answer. */
function rawStatus(server: LiveServer, head: string, body = ''): Promise<{ status: number; socket: net.Socket }> {
  const url = new URL(server.base);
  const socket = net.connect(Number(url.port), url.hostname);
  let received = '';
  return new Promise((resolve) => {
    socket.on('data', (chunk) => {
      received += String(chunk);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(received);
      if (status) resolve({ status: Number(status[1]), socket });
    });
    socket.on('error', () => resolve({ status: 0, socket }));
    socket.write(head + body);
  });
}

const csvHead = (server: LiveServer, auth: string, datasetId: string, key: string, length: number) =>
  `POST /v1/datasets/${datasetId}/versions HTTP/1.1\r\nHost: ${new URL(server.base).host}\r\nAuthorization: Bearer ${auth}\r\nIdempotency-Key: ${key}\r\nContent-Type: text/csv\r\nContent-Length: ${length}\r\n\r\n`;

t.test('a push killed while its body arrives leaves its key free for the retry', async (t) => {
  const first = await startServer(t, env);
  const { producer, datasetId } = await producerWithDataset(first);
  const csv = 'indicator,region,period,value\nPPKS-06,65,2025,7\n';
  // Half the body, and the rest never comes: the push is claimed and waits for it.
  const slow = net.connect(Number(new URL(first.base).port), '127.0.0.1');
  slow.on('error', () => {});
  slow.write(csvHead(first, producer, datasetId, 'arriving', csv.length) + csv.slice(0, 20));
  // A probe with the same key whose declared size is over the limit: while the slow push
  // holds the key it is refused 409; had it come first, it claims the key, is refused 413
  // for its size and frees the key again. So a 409 shows the live claim, with no timing.
  const probe = async () => {
    const { status, socket } = await rawStatus(first, csvHead(first, producer, datasetId, 'arriving', 1_000_000_000));
    socket.destroy();
    return status;
  };
  t.equal(await until(async () => (await probe()) === 409 && 409), 409, 'a live claim answers a duplicate 409');
  await first.kill();
  t.match(await leftClaim('arriving'), { status: 'in_progress' }, 'the claim was left unfinished');

  const second = await startServer(t, env);
  const retry = await second.call(producer, 'POST', `/v1/datasets/${datasetId}/versions`, csv, { 'idempotency-key': 'arriving' });
  t.equal(retry.status, 201, JSON.stringify(retry.json).slice(0, 300));
  t.equal(retry.json.version, 1);
  const again = await second.call(producer, 'POST', `/v1/datasets/${datasetId}/versions`, csv, { 'idempotency-key': 'arriving' });
  t.equal(again.headers.get('idempotent-replayed'), 'true', 'and the key replays from then on');
  await second.stop();
});

t.test(
  'a push killed while it writes its observations leaves its key free for the retry',
  { skip: database.DATABASE_URL ? false : 'on PGlite the push holds the only connection, so nothing can tell from outside that it is writing' },
  async (t) => {
    const first = await startServer(t, env);
    const admin = await first.token('live-admin', 'live-admin-secret-0123456789abcdef');
    const datasetId = ((await first.call(admin, 'GET', '/v1/datasets?limit=1')).json.data as { id: string }[])[0]!.id;
    const client = await first.call(admin, 'POST', '/v1/clients', { name: 'SIKS Kaltara 2', role: 'producer', agency: 'DINSOS-65' });
    const producer = await first.token((client.json.client as { client_id: string }).client_id, client.json.client_secret as string);
    const csv = bigCsv(await desaOf65(first, admin), ['PPKS-01', 'PPKS-06'], 12);
    const url = `/v1/datasets/${datasetId}/versions`;
    const push = first.call(producer, 'POST', url, csv, { 'idempotency-key': 'writing' });
    const sql = new pg.Client({ connectionString: database.DATABASE_URL });
    await sql.connect();
    t.teardown(() => sql.end());
    await until(async () => (await sql.query(`select 1 from pg_stat_activity where datname = current_database() and application_name = 'satu-data-exchange' and xact_start is not null and query ilike 'copy observations%'`)).rowCount);
    const before = (await sql.query<{ n: number }>('select count(*)::int as n from dataset_versions where dataset_id = $1', [datasetId])).rows[0]!.n;
    await first.kill();
    t.equal((await push).status, 0, 'the push got no answer');
    t.match(await leftClaim('writing'), { status: 'in_progress' });

    const second = await startServer(t, env);
    const retry = await second.call(producer, 'POST', url, csv, { 'idempotency-key': 'writing' });
    t.equal(retry.status, 201, JSON.stringify(retry.json).slice(0, 300));
    const after = (await sql.query<{ n: number }>('select count(*)::int as n from dataset_versions where dataset_id = $1', [datasetId])).rows[0]!.n;
    t.equal(after, before + 1, 'one version: the killed push rolled back, the retry stored it');
    await second.stop();
  },
);
