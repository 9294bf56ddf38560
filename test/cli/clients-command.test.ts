import t from 'tap';
import { sql } from 'kysely';
import { runClientsCommand } from '../../src/cli/clients-command.js';
import { createAgency, createTestApp } from '../helpers/test-app.js';

const ctx = await createTestApp(t);
const db = ctx.database.db;
await createAgency(ctx, 'DINSOS-6571', '65.71');

t.test('create prints credentials that work, and is audited as the CLI', async (t) => {
  const result = await runClientsCommand(['clients', 'create', '--agency', 'DINSOS-6571', '--role', 'producer'], db);
  t.equal(result.exitCode, 0);
  const id = /client_id:\s+(\S+)/.exec(result.stdout)?.[1];
  const secret = /client_secret:\s+(\S+)/.exec(result.stdout)?.[1];
  t.ok(id && secret);
  const token = await ctx.app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: id, client_secret: secret } });
  t.equal(token.statusCode, 200);
  t.equal(token.json().agency, 'DINSOS-6571');
  const audit = await sql<{ actor_id: string }>`select actor_id from audit_log where entity_id = ${id!} and action = 'client.created'`.execute(db);
  t.equal(audit.rows[0]?.actor_id, 'cli');
});

t.test('list, rotate and disable', async (t) => {
  const created = await runClientsCommand(['clients', 'create', '--role', 'consumer', '--name', 'SIJOSKU'], db);
  const id = /client_id:\s+(\S+)/.exec(created.stdout)![1]!;
  const list = await runClientsCommand(['clients', 'list', '--role', 'consumer'], db);
  t.match(list.stdout, new RegExp(`${id}\\tconsumer\\t-\\tactive\\tSIJOSKU`));
  const rotated = await runClientsCommand(['clients', 'rotate', id], db);
  t.equal(rotated.exitCode, 0);
  t.match(rotated.stdout, /client_secret:/);
  const disabled = await runClientsCommand(['clients', 'disable', id], db);
  t.equal(disabled.stdout, `${id} disabled\n`);
  const again = await runClientsCommand(['clients', 'disable', id], db);
  t.equal(again.exitCode, 1);
  t.match(again.stderr, /already disabled/);
});

t.test('bad input gives a message and a non-zero exit, never a stack trace', async (t) => {
  const cases: [string[], number, RegExp][] = [
    [['clients', 'create', '--role', 'king'], 2, /--role must be one of/],
    [['clients', 'create', '--role', 'producer'], 1, /producer client must be bound to one agency/],
    [['clients', 'create', '--role', 'producer', '--agency', 'NOPE-1'], 1, /"NOPE-1" is not in agencies/],
    [['clients', 'disable'], 2, /needs a client id/],
    [['clients', 'rotate', 'nobody-here'], 1, /not registered/],
    [['clients', 'explode'], 2, /Usage/],
    [['agencies', 'list'], 2, /Usage/],
    [['clients', 'list', '--colour'], 2, /Unknown option/],
  ];
  for (const [argv, code, message] of cases) {
    const result = await runClientsCommand(argv, db);
    t.equal(result.exitCode, code, argv.join(' '));
    t.match(result.stderr, message, argv.join(' '));
    t.notMatch(result.stderr, /\n\s+at /, 'no stack trace');
  }
});
