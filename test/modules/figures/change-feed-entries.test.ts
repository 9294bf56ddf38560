import t from 'tap';
import { sql } from 'kysely';
import * as m0023 from '../../../migrations/0023_change_feed_entries.js';
import { encodeCursor } from '../../../src/http/pagination.js';
import { createAgency, createTestApp } from '../../helpers/test-app.js';
import { publishing, type Auth } from '../reconciliation/publishing.js';
import { asFeedFigure } from '../../helpers/feed-figure.js';

// Each change-feed entry is stored as the JSON the API serves (migration 0023): written with
// the labels of the time, closed (valid_to) when its figure is replaced, read back as stored.
const ctx = await createTestApp(t);
const { app, database } = ctx;
await createAgency(ctx, 'DINSOS-6571', '65.71');
const dinsos = await ctx.login('producer', 'DINSOS-6571');
const { verifier, publish, revise } = await publishing(ctx);
const consumer = await ctx.login('consumer');

type Figure = { indicator: string; indicator_name: string; region: string; period: string; value: string | null; valid_from: string; valid_to: string | null; source: { dataset_title: string; agency_name: string } | null };
type Entry = { kind: string; at: string; figure: Figure };
type Page = { data: Entry[]; next_cursor: string; has_more: boolean };

async function page(auth: Auth, query: string): Promise<Page> {
  const res = await app.inject({ url: `/v1/figures/changes?${query}`, headers: auth });
  if (res.statusCode !== 200) throw new Error(res.body);
  return res.json();
}

/** Every entry after `since`, `limit` per page. */
async function replay(auth: Auth, query = '', limit = 1000, since?: string): Promise<Entry[]> {
  const out: Entry[] = [];
  for (;;) {
    const p = await page(auth, `limit=${limit}${query}${since ? `&since=${since}` : ''}`);
    out.push(...p.data);
    since = p.next_cursor;
    if (!p.has_more) return out;
  }
}
const of = (entries: Entry[], indicator: string, period: string) => entries.filter((e) => e.figure.indicator === indicator && e.figure.period === period);
/** The dataset whose title the first test edits. */
let relabelled = '';
const served = async (indicator: string, period: string) =>
  (await app.inject({ url: `/v1/figures?indicator=${indicator}&region=65.71&period=${period}`, headers: verifier.auth })).json().data[0] as Figure;

t.test('an entry keeps the labels it was announced with; a later change carries the new ones', async (t) => {
  const dataset = await publish(dinsos.auth, [{ indicator: 'PPKS-06', region: '65.71', period: '2020', value: 10 }], 'terbuka');
  relabelled = dataset;
  const before = of(await replay(consumer.auth), 'PPKS-06', '2020');
  t.equal(before.length, 1);
  const original = before[0]!.figure;

  const renamed = await app.inject({ method: 'PATCH', url: '/v1/indicators/PPKS-06', headers: verifier.auth, payload: { name: 'Anak korban kekerasan (nama baru)' } });
  t.equal(renamed.statusCode, 200, renamed.body);
  t.teardown(() => app.inject({ method: 'PATCH', url: '/v1/indicators/PPKS-06', headers: verifier.auth, payload: { name: original.indicator_name } }).then(() => undefined));
  const retitled = await app.inject({ method: 'PATCH', url: `/v1/datasets/${dataset}`, headers: dinsos.auth, payload: { title: 'Judul baru dataset' } });
  t.equal(retitled.statusCode, 200, retitled.body);

  t.match(await served('PPKS-06', '2020'), { indicator_name: 'Anak korban kekerasan (nama baru)', source: { dataset_title: 'Judul baru dataset' } }, '/v1/figures serves the labels as they are now');
  t.same(of(await replay(consumer.auth), 'PPKS-06', '2020'), before, 'the entry replays as announced, labels included');

  await revise(dinsos.auth, dataset, [{ indicator: 'PPKS-06', region: '65.71', period: '2020', value: 11 }]);
  const after = of(await replay(consumer.auth), 'PPKS-06', '2020');
  t.same(after.map((e) => [e.kind, e.figure.value, e.figure.indicator_name, e.figure.source?.dataset_title]), [
    ['new', '10', original.indicator_name, original.source?.dataset_title],
    ['revised', '11', 'Anak korban kekerasan (nama baru)', 'Judul baru dataset'],
  ]);
  t.same(after[1]!.figure, asFeedFigure(await served('PPKS-06', '2020')), 'the new entry is the figure /v1/figures serves (but for the indicator\'s definition and formula)');
});

t.test('a replaced figure\'s entry says when it stopped being served, the rest as announced', async (t) => {
  const dataset = await publish(dinsos.auth, [{ indicator: 'PPKS-07', region: '65.71', period: '2020', value: 5 }], 'terbuka');
  const [first] = of(await replay(verifier.auth), 'PPKS-07', '2020');
  t.equal(first!.figure.valid_to, null, 'null while served');
  await revise(dinsos.auth, dataset, [{ indicator: 'PPKS-07', region: '65.71', period: '2020', value: 6 }]);
  await revise(dinsos.auth, dataset, [{ indicator: 'PPKS-07', region: '65.71', period: '2020', value: 7 }]);
  const entries = of(await replay(verifier.auth), 'PPKS-07', '2020');
  t.same(entries.map((e) => e.figure.value), ['5', '6', '7']);
  t.same({ ...entries[0]!, figure: { ...entries[0]!.figure, valid_to: null } }, first, 'only valid_to changed');
  t.equal(entries[0]!.figure.valid_to, entries[1]!.figure.valid_from, 'closed when the next one started');
  t.equal(entries[1]!.figure.valid_to, entries[2]!.figure.valid_from);
  t.equal(entries[2]!.figure.valid_to, null);
  // Timestamps are served to the millisecond, stored to the microsecond: 1 ms later is within the figure's time.
  const asOf = encodeURIComponent(new Date(Date.parse(entries[1]!.figure.valid_from) + 1).toISOString());
  const then = (await app.inject({ url: `/v1/figures?indicator=PPKS-07&region=65.71&period=2020&asOf=${asOf}`, headers: verifier.auth })).json().data[0];
  t.same(entries[1]!.figure, asFeedFigure(then), 'a past entry is the figure /v1/figures served at the time, as announced');
});

t.test('withdrawn entries carry only the key; the walidata see the figure', async (t) => {
  const dataset = await publish(dinsos.auth, [{ indicator: 'PPKS-08', region: '65.71', period: '2020', value: 3 }], 'terbuka');
  const since = (await page(consumer.auth, 'limit=1000&indicator=PPKS-08')).next_cursor;
  const closed = await app.inject({ method: 'PATCH', url: `/v1/datasets/${dataset}`, headers: dinsos.auth, payload: { access_classification: 'tertutup' } });
  t.equal(closed.statusCode, 200, closed.body);
  const withdrawn = (await page(consumer.auth, `indicator=PPKS-08&since=${since}`)).data;
  t.equal(withdrawn.length, 1);
  t.same(Object.keys(withdrawn[0]!), ['kind', 'at', 'figure']);
  t.same(withdrawn[0]!.figure, { indicator: 'PPKS-08', region: '65.71', period: '2020', disaggregation: {} });
  t.equal(withdrawn[0]!.kind, 'withdrawn');
  t.ok(Date.parse(withdrawn[0]!.at) > 0);
  t.match(of(await replay(verifier.auth, '&indicator=PPKS-08'), 'PPKS-08', '2020'), [{ kind: 'new', figure: { value: '3' } }], 'walidata see no change');
});

t.test('an indicator filter returns the feed\'s entries of those indicators, in order, at any page size', async (t) => {
  await publish(dinsos.auth, [
    { indicator: 'PPKS-06', region: '65.71', period: '2018', value: 1 },
    { indicator: 'PPKS-07', region: '65.71', period: '2018', value: 2 },
    { indicator: 'PPKS-09', region: '65.71', period: '2018', value: 3 },
  ], 'terbuka');
  const all = await replay(verifier.auth);
  const wanted = all.filter((e) => ['PPKS-06', 'PPKS-09'].includes(e.figure.indicator));
  t.ok(wanted.length >= 3);
  for (const limit of [1, 2, 1000]) {
    t.same(await replay(verifier.auth, '&indicator=PPKS-09&indicator=PPKS-06', limit), wanted, `${limit} per page`);
  }
  t.same(await replay(verifier.auth, '&indicator=PPKS-26'), [], 'an indicator without changes: nothing');
  const first = await page(verifier.auth, 'limit=2&indicator=PPKS-06&indicator=PPKS-09');
  t.same(await replay(verifier.auth, '&indicator=PPKS-06&indicator=PPKS-09', 1, first.next_cursor), wanted.slice(2), 'a cursor of a filtered page resumes it');
  t.equal((await app.inject({ url: `/v1/figures/changes?since=${encodeCursor('-1')}`, headers: verifier.auth })).statusCode, 400, 'a cursor that is not a sequence number');
});

t.test('the entries written before migration 0023 are backfilled as writeFigures writes them', async (t) => {
  const db = database.db;
  const stored = async () => (await sql<{ seq: string; entry: string }>`select seq::text as seq, entry from figure_changes order by seq`.execute(db)).rows;
  // The labels as they were when most entries were written: the backfill takes today's.
  const title = (await app.inject({ url: `/v1/datasets/${relabelled}`, headers: dinsos.auth })).json().title as string;
  const [announced] = of(await replay(verifier.auth, '&indicator=PPKS-06'), 'PPKS-06', '2020');
  t.not(title, announced!.figure.source!.dataset_title);
  const restored = await app.inject({ method: 'PATCH', url: `/v1/datasets/${relabelled}`, headers: dinsos.auth, payload: { title: announced!.figure.source!.dataset_title } });
  t.equal(restored.statusCode, 200, restored.body);
  const written = (await stored()).filter((r) => !r.entry.includes(title));
  t.ok(written.length >= 5, `${written.length} entries`);
  t.ok(written.some((r) => !r.entry.endsWith('null}}')), 'some entries were closed');
  t.ok(written.some((r) => r.entry.includes('"source" : {')), 'some have a source');

  await sql`alter table figure_changes drop column entry`.execute(db);
  await m0023.up(db as never);
  const backfilled = new Map((await stored()).map((r) => [r.seq, r.entry]));
  t.same(written.filter((r) => backfilled.get(r.seq) !== r.entry), [], 'the same text, entry for entry');
});
