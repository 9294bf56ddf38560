import t from 'tap';
import { freePort, processDatabase, run, waitReady } from './helpers/server-process.js';

t.test('a bad configuration value stops the process with a message naming it', async (t) => {
  const { output, exited } = run({ PORT: 'eighty' });
  t.equal(await exited, 78);
  t.match(output.stderr, /Invalid configuration: PORT/);
});

t.test('an unreachable database at start-up is retried with backoff, then the process exits 1', async (t) => {
  const port = await freePort(); // nothing listens there
  const { output, exited } = run({ DATABASE_URL: `postgres://nobody@127.0.0.1:${port}/none`, DB_STARTUP_RETRIES: '2', DB_CONNECT_TIMEOUT_MS: '500' });
  t.equal(await exited, 1);
  const retries = output.stdout.split('\n').filter((l) => l.includes('database unreachable at start-up; retrying'));
  t.equal(retries.length, 2, 'one log line per retry');
  t.match(retries[1], /"retryInMs":1000/);
  t.match(output.stdout, /start-up failed/);
});

t.test('first start: migrates, prints the bootstrap admin once, serves, and exits 0 on SIGTERM', async (t) => {
  const port = await freePort();
  // On PGlite an empty directory, so this first start does migrate it.
  const env = await processDatabase(t, { fresh: true });
  const { child, output, exited } = run({ ...env, PORT: String(port) });
  t.teardown(() => void child.kill('SIGKILL'));
  t.ok(await waitReady(port, exited), `ready (stderr: ${output.stderr.slice(0, 500)})`);
  t.match(output.stdout, /client_id:\s+sde-admin-/);
  const id = /client_id:\s+(\S+)/.exec(output.stdout)![1]!;
  const secret = /client_secret:\s+(\S+)/.exec(output.stdout)![1]!;
  t.match(output.stdout, /JWT_SECRET is not set/, 'warns that tokens will not survive a restart');

  const token = await fetch(`http://127.0.0.1:${port}/v1/auth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  t.equal(token.status, 200, 'the printed credentials work');
  const { access_token } = (await token.json()) as { access_token: string };
  const regions = await fetch(`http://127.0.0.1:${port}/v1/regions?parent=65`, { headers: { authorization: `Bearer ${access_token}` } });
  t.equal(((await regions.json()) as { data: unknown[] }).data.length, 5);
  t.notOk(output.stdout.includes(access_token), 'the token is not logged');

  child.kill('SIGTERM');
  t.equal(await exited, 0, 'graceful shutdown exits 0');
  t.match(output.stdout, /shutdown complete/);
});
