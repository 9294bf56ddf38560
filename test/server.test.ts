import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import t from 'tap';
import { seedPath } from '../src/db/pglite-seed.js';
import { openTestDatabase, serverUrl } from './helpers/database.js';
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

t.test('on PGlite, a first start unpacks the build\'s seed instead of migrating, and a restart keeps its data', { skip: serverUrl ? 'PGlite only' : false }, async (t) => {
  // `npm test` builds no seed (`npm run build` does): this one is the small test database, dumped where the server looks.
  const seed = seedPath();
  const source = await openTestDatabase(t);
  await mkdir(dirname(seed), { recursive: true });
  await writeFile(seed, Buffer.from(await (await source.pglite!.dumpDataDir('none')).arrayBuffer()));
  t.teardown(() => rm(seed, { force: true }));

  const port = await freePort();
  const env = { ...(await processDatabase(t, { fresh: true })), PORT: String(port) };
  const first = run(env);
  t.teardown(() => void first.child.kill('SIGKILL'));
  t.ok(await waitReady(port, first.exited), `ready (stderr: ${first.output.stderr.slice(0, 500)})`);
  t.match(first.output.stdout, /"applied":\[\].*schema up to date/, 'the empty directory came with every migration applied');
  t.match(first.output.stdout, /client_id:\s+sde-admin-/, 'and without clients: the bootstrap admin is made on it');
  first.child.kill('SIGTERM');
  t.equal(await first.exited, 0);

  await rm(seed, { force: true });
  const again = run(env);
  t.teardown(() => void again.child.kill('SIGKILL'));
  t.ok(await waitReady(port, again.exited), `ready again (stderr: ${again.output.stderr.slice(0, 500)})`);
  t.notMatch(again.output.stdout, /client_id:/, 'the restart found the admin the first start made');
  again.child.kill('SIGTERM');
  t.equal(await again.exited, 0);
});
