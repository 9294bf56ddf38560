import t from 'tap';
import type { Database } from '../../src/db/create-db.js';
import { waitForDatabase } from '../../src/db/connect.js';

function flakyDatabase(failures: number): Pick<Database, 'ping'> & { attempts: number } {
  const db = {
    attempts: 0,
    async ping() {
      db.attempts++;
      if (db.attempts <= failures) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    },
  };
  return db;
}

function recordingLog() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  return {
    lines,
    warn: (obj: Record<string, unknown>, msg: string) => void lines.push({ level: 'warn', obj, msg }),
    info: (obj: Record<string, unknown>, msg: string) => void lines.push({ level: 'info', obj, msg }),
  };
}

t.test('retries with growing delays until the database answers, logging each attempt', async (t) => {
  const db = flakyDatabase(2);
  const log = recordingLog();
  const started = Date.now();
  await waitForDatabase(db, 5, log as never);
  t.equal(db.attempts, 3);
  const warnings = log.lines.filter((l) => l.level === 'warn');
  t.equal(warnings.length, 2);
  t.same(warnings.map((w) => w.obj.retryInMs), [500, 1000], 'exponential backoff');
  t.match(warnings[0]!.obj.reason, /ECONNREFUSED/);
  t.match(log.lines.at(-1), { level: 'info', msg: 'database reachable' });
  t.ok(Date.now() - started >= 1400, 'actually waited between attempts');
});

t.test('gives up after the configured retries with the cause attached', async (t) => {
  const db = flakyDatabase(10);
  const log = recordingLog();
  await t.rejects(waitForDatabase(db, 1, log as never), { message: /unreachable after 2 attempts/, cause: { code: 'ECONNREFUSED' } });
  t.equal(db.attempts, 2);
});

t.test('a reachable database is not delayed', async (t) => {
  const db = flakyDatabase(0);
  const log = recordingLog();
  await waitForDatabase(db, 3, log as never);
  t.equal(db.attempts, 1);
  t.same(log.lines, []);
});
