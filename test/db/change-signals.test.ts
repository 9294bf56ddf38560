import t from 'tap';
import { sql } from 'kysely';
import { ChangeSignals, CHANGES_CHANNEL } from '../../src/db/change-signals.js';
import { serverUrl } from '../helpers/database.js';
import { createTestApp } from '../helpers/test-app.js';
import { until } from '../helpers/live-server.js';
import { writeFigures } from '../../src/modules/reconciliation/repository.js';

const quietLog = () => {
  const warnings: string[] = [];
  return { warnings, log: { warn: (_details: object, message: string) => void warnings.push(message), info: () => {} } };
};

/** A database whose subscription can be made to fail, and whose notifications the test sends. */
function fakeDatabase() {
  const state = { failNext: 0, subscriptions: 0, notify: (_p: string) => {}, lose: (_e: Error) => {}, unsubscribed: 0 };
  return {
    state,
    async listen(channel: string, onNotify: (p: string) => void, onLost: (e: Error) => void) {
      if (channel !== CHANGES_CHANNEL) throw new Error(`unexpected channel ${channel}`);
      if (state.failNext > 0) {
        state.failNext--;
        throw new Error('connect ECONNREFUSED');
      }
      state.subscriptions++;
      state.notify = onNotify;
      state.lose = onLost;
      return {
        flush: async () => {},
        close: async () => {
          state.unsubscribed++;
        },
      };
    },
  };
}

t.test('a notification moves the stamp of its table only; touchAll moves every stamp', async (t) => {
  const db = fakeDatabase();
  const signals = new ChangeSignals(db, quietLog().log);
  await signals.start();
  const clients = signals.stamp(['clients']);
  const figures = signals.stamp(['reconciled_figures', 'indicators']);
  t.type(clients, 'string', 'live after subscribing');
  db.state.notify('reconciled_figures');
  t.equal(signals.stamp(['clients']), clients, 'a figure change leaves the clients stamp alone');
  t.not(signals.stamp(['reconciled_figures', 'indicators']), figures, 'and moves the figures stamp');
  const before = signals.stamp(['clients']);
  signals.touchAll();
  t.not(signals.stamp(['clients']), before, 'touchAll moves every stamp');
  await signals.stop();
  t.equal(db.state.unsubscribed, 1, 'stop ends the subscription');
  t.equal(signals.stamp(['clients']), null, 'and nothing is stamped after it');
});

t.test('figures and indicators are followed per indicator', async (t) => {
  const db = fakeDatabase();
  const signals = new ChangeSignals(db, quietLog().log);
  t.teardown(() => signals.stop());
  await signals.start();
  const tables = ['reconciled_figures', 'indicators'] as const;
  const stamps = () => ({ a: signals.stamp(tables, ['A']), b: signals.stamp(tables, ['B']), ab: signals.stamp(tables, ['A', 'B']), all: signals.stamp(tables) });
  let before = stamps();
  db.state.notify('reconciled_figures:A,C');
  let after = stamps();
  t.not(after.a, before.a, "a change to A's figures moves A's stamp");
  t.equal(after.b, before.b, "and leaves B's alone");
  t.not(after.ab, before.ab, 'moves a stamp covering A among others');
  t.not(after.all, before.all, 'and the stamp of all indicators');
  before = after;
  db.state.notify('indicators:B');
  after = stamps();
  t.equal(after.a, before.a, "an edit of indicator B leaves A's pages");
  t.not(after.b, before.b, "and moves B's");
  t.not(after.all, before.all);
  before = after;
  db.state.notify('reconciled_figures');
  after = stamps();
  t.ok(after.a !== before.a && after.b !== before.b && after.all !== before.all, 'the whole table announced moves every indicator');
  before = after;
  db.state.notify('datasets');
  t.same(stamps(), before, 'another table leaves figure stamps alone');
  t.not(signals.stamp(['datasets'], ['A']), null);
});

/** A clock the test moves: retries run when the test says, never by elapsed time. */
function manualClock() {
  const pending: { retry: () => void; delayMs: number }[] = [];
  const schedule = (retry: () => void, delayMs: number) => {
    const entry = { retry, delayMs };
    pending.push(entry);
    return () => {
      const index = pending.indexOf(entry);
      if (index >= 0) pending.splice(index, 1);
    };
  };
  /** Runs the earliest retry due and waits for its subscription attempt. */
  const runNext = async () => {
    const next = pending.shift();
    if (!next) throw new Error('no retry is scheduled');
    next.retry();
    // The fake's listen settles in microtasks only, so the attempt is over by the next turn.
    await new Promise((resolve) => setImmediate(resolve));
    return next.delayMs;
  };
  return { pending, schedule, runNext };
}

t.test('a lost subscription stamps nothing until it is back, and comes back under a new stamp', async (t) => {
  const db = fakeDatabase();
  const { warnings, log } = quietLog();
  const clock = manualClock();
  const signals = new ChangeSignals(db, log, clock.schedule);
  t.teardown(() => signals.stop());
  await signals.start();
  const before = signals.stamp(['clients']);
  db.state.failNext = 1;
  db.state.lose(new Error('terminating connection due to administrator command'));
  db.state.lose(new Error('the listening connection was closed'));
  t.equal(signals.stamp(['clients']), null, 'callers read the database while not listening');
  t.match(warnings[0], /caches are bypassed/);
  t.equal(clock.pending.length, 1, 'one retry loop, though the loss was reported twice');
  t.equal(await clock.runNext(), 500, 'the first retry after 500 ms');
  t.equal(signals.stamp(['clients']), null, 'still down after a failed retry');
  t.equal(warnings.length, 2, 'each failure is logged');
  t.equal(await clock.runNext(), 1000, 'the next one after twice as long');
  const after = signals.stamp(['clients']);
  t.type(after, 'string', 'live again');
  t.not(after, before, 'under a new stamp: notifications may have been missed meanwhile');
  t.equal(db.state.subscriptions, 2);
  t.equal(clock.pending.length, 0, 'and no other retry is left to subscribe again later');
});

t.test('a subscription that cannot start leaves the service without caches, not down', async (t) => {
  const db = fakeDatabase();
  db.state.failNext = 1;
  const clock = manualClock();
  const signals = new ChangeSignals(db, quietLog().log, clock.schedule);
  await signals.start();
  t.equal(signals.stamp(['reconciled_figures']), null);
  t.equal(clock.pending.length, 1, 'a retry is scheduled');
  await signals.stop();
  t.equal(clock.pending.length, 0, 'and cancelled by stop');
  t.equal(db.state.subscriptions, 0, 'no subscription after stop');
});

t.test('against the real database', async (t) => {
  const ctx = await createTestApp(t);
  const { app, database } = ctx;
  const admin = await ctx.login('admin');

  await t.test('a write by another process, straight in SQL, is announced at commit', async (t) => {
    const before = app.changes.stamp(['agencies']);
    const figures = app.changes.stamp(['reconciled_figures']);
    await sql`insert into agencies (code, name, kind, jurisdiction_region_code) values ('DINSOS-65', 'Dinas Sosial Kalimantan Utara', 'DINSOS', '65')`.execute(database.db);
    await until(() => app.changes.stamp(['agencies']) !== before);
    t.equal(app.changes.stamp(['reconciled_figures']), figures, 'other tables keep their stamp');
  });

  await t.test('only statements that change rows are announced, figures per indicator', async (t) => {
    const tables = ['reconciled_figures'] as const;
    const stamps = () => ({ six: app.changes.stamp(tables, ['PPKS-06']), one: app.changes.stamp(tables, ['PPKS-01']), all: app.changes.stamp(tables), agencies: app.changes.stamp(['agencies']) });
    // flush: every notification committed so far has been counted.
    const after = async (statement: ReturnType<typeof sql>) => {
      await statement.execute(database.db);
      await app.changes.flush();
      return stamps();
    };
    const start = stamps();
    const none = await after(sql`update reconciled_figures set value = value where indicator_code = 'PPKS-06'`);
    t.same(none, start, 'an update of no row announces nothing');
    t.same(await after(sql`delete from agencies where code = 'NO-SUCH-AGENCY'`), start, 'nor does a delete of no row');
    const inserted = await after(sql`
      insert into reconciled_figures (indicator_code, region_code, period, disagg_key, disagg, status, value, method, candidates, decided_by)
      values ('PPKS-06', '65.71', '2019', '', '{}'::jsonb, 'final', 7, 'manual', '[]'::jsonb, 'another process')`);
    t.not(inserted.six, start.six, 'a new PPKS-06 figure moves the PPKS-06 stamp');
    t.equal(inserted.one, start.one, 'and not the PPKS-01 one');
    t.not(inserted.all, start.all, 'and the stamp of every indicator');
    t.equal(inserted.agencies, start.agencies);
    const updated = await after(sql`update reconciled_figures set valid_to = now() where indicator_code = 'PPKS-06' and period = '2019'`);
    t.not(updated.six, inserted.six, 'an update that changed a row is announced');
    t.equal(updated.one, start.one);
    const label = () => app.changes.stamp(['indicators'], ['PPKS-01']);
    const one = label();
    await after(sql`update indicators set name = name || ' (rev)' where code = 'PPKS-06'`);
    t.equal(label(), one, 'an edit of indicator PPKS-06 leaves the PPKS-01 stamp');
    // 700 codes of 19 characters do not fit a notification (8000 bytes): the whole table is announced.
    const many = await after(sql`
      insert into indicators (code, name, name_en, "group", measure, unit, value_type, periodicity, metadata)
      select 'BULK-INDICATOR-' || lpad(g::text, 4, '0'), i.name, i.name_en, i."group", i.measure, i.unit, i.value_type, i.periodicity, i.metadata
      from indicators i cross join generate_series(1, 700) g where i.code = 'PPKS-01'`);
    t.not(label(), one, 'too many indicators for one notification: every indicator is announced');
    t.equal(many.one, updated.one, 'figures are a table of their own');
    await sql`delete from indicators where code like 'BULK-INDICATOR-%'`.execute(database.db);
  });

  await t.test('issuing a token leaves the cached clients alone', async (t) => {
    const client = await app.inject({ method: 'POST', url: '/v1/clients', headers: admin.auth, payload: { name: 'cache probe', role: 'consumer' } });
    t.equal(client.statusCode, 201);
    const { client_id, client_secret } = { client_id: client.json().client.client_id, client_secret: client.json().client_secret };
    // Notifications arrive in commit order: once a later marker is in, every earlier one is too.
    const settled = async (code: string) => {
      const before = app.changes.stamp(['agencies']);
      await sql`insert into agencies (code, name, kind, jurisdiction_region_code) values (${code}, ${`Agency ${code}`}, 'DINSOS', '65.01')`.execute(database.db);
      await until(() => app.changes.stamp(['agencies']) !== before);
    };
    await settled('MARKER-1');
    const clients = app.changes.stamp(['clients']);
    const token = await app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'client_credentials', client_id, client_secret } });
    t.equal(token.statusCode, 200);
    await settled('MARKER-2');
    t.equal(app.changes.stamp(['clients']), clients, 'the token (which records last_token_at) announced no change to clients');
  });

  await t.test('a client disabled by another process loses access without a query per request', async (t) => {
    const victim = await ctx.login('consumer');
    const get = () => app.inject({ url: '/v1/indicators?limit=1', headers: victim.auth });
    t.equal((await get()).statusCode, 200);
    await database.db.updateTable('clients').set({ disabled_at: new Date() }).where('id', '=', victim.clientId).execute();
    await until(async () => (await get()).statusCode === 401);
    t.equal((await get()).json().code, 'TOKEN_REVOKED');
  });

  await t.test('a figure published by another process is in the next pages', async (t) => {
    const url = '/v1/figures?indicator=PPKS-06&region=65.71';
    const count = async () => (await app.inject({ url, headers: admin.auth })).json().data.length as number;
    t.equal(await count(), 0, 'nothing yet (and the empty page is now kept)');
    await database.db.transaction().execute((trx) =>
      writeFigures(trx, [
        {
          key: { indicator_code: 'PPKS-06', region_code: '65.71', period: '2025', disagg_key: '', disagg: {}, candidates: [] },
          state: { status: 'final', value: '141', method: 'manual', sourceVersionId: null, conflictId: null, rationale: null, decidedBy: 'another process' },
          kind: 'new',
        },
      ]),
    );
    await until(async () => (await count()) === 1);
    const page = (await app.inject({ url, headers: admin.auth })).json();
    t.match(page.data[0], { indicator: 'PPKS-06', region: '65.71', period: '2025', value: '141', method: 'manual' }, 'the figure as the other process wrote it');
  });

  await t.test('without a live subscription every request reads the database', async (t) => {
    await app.changes.stop();
    t.equal(app.changes.stamp(['clients']), null);
    const victim = await ctx.login('consumer');
    const get = () => app.inject({ url: '/v1/indicators?limit=1', headers: victim.auth });
    t.equal((await get()).statusCode, 200);
    await database.db.updateTable('clients').set({ disabled_at: new Date() }).where('id', '=', victim.clientId).execute();
    t.equal((await get()).statusCode, 401, 'refused on the very next request');
    t.equal((await app.inject({ url: '/v1/clients?limit=1', headers: admin.auth })).statusCode, 200, 'others still served');
  });
});

t.test('on a server, a killed listening connection is noticed and replaced', { skip: !serverUrl && 'needs a Postgres server' }, async (t) => {
  const ctx = await createTestApp(t);
  const { app, database } = ctx;
  const terminate = () => sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = 'satu-data-exchange listener'`.execute(database.db);
  t.type(app.changes.stamp(['clients']), 'string');
  await terminate();
  // Each wait lasts as long as a busy machine needs; tap's timeout is the limit.
  await until(() => app.changes.stamp(['clients']) === null);
  t.equal(app.changes.stamp(['clients']), null, 'noticed: caches bypassed');
  await until(() => app.changes.stamp(['clients']) !== null);
  t.type(app.changes.stamp(['clients']), 'string', 'listening again');
  const before = app.changes.stamp(['agencies']);
  await sql`insert into agencies (code, name, kind, jurisdiction_region_code) values ('DINSOS-65', 'Dinas Sosial Kalimantan Utara', 'DINSOS', '65')`.execute(database.db);
  await until(() => app.changes.stamp(['agencies']) !== before);
  t.not(app.changes.stamp(['agencies']), before, 'and notifications arrive on the new connection');
});
