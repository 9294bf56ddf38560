import t from 'tap';
import { createAgency, createTestApp } from '../../helpers/test-app.js';
import { publishing, type Auth } from '../reconciliation/publishing.js';
import { asFeedFigure } from '../../helpers/feed-figure.js';

// The issue's "done when": two agencies disagree on child victims of violence for one city
// and year; the conflict is shown, resolved by priority or by a walidata, and a consumer
// pulls the figure, its provenance and its history, with each change delivered once.
const ctx = await createTestApp(t);
const { app } = ctx;
await createAgency(ctx, 'DINSOS-6571', '65.71');
await createAgency(ctx, 'DP3AP2KB-6571', '65.71', 'DP3AP2KB');
const dinsos = await ctx.login('producer', 'DINSOS-6571');
const dp3 = await ctx.login('producer', 'DP3AP2KB-6571');
const { verifier, publisher, publish } = await publishing(ctx);
const consumer = await ctx.login('consumer');

const publishFigure = (producer: Auth, value: number, period = '2025', classification = 'terbatas') =>
  publish(producer, [{ indicator: 'PPKS-06', region: '65.71', period, value }], classification);

const figure = async (period: string, auth: Auth = consumer.auth, extra = '') =>
  (await app.inject({ url: `/v1/figures?indicator=PPKS-06&region=65.71&period=${period}${extra}`, headers: auth })).json().data[0];

let cursor: string | undefined;
async function drain(): Promise<{ kind: string; value: string | null; period: string }[]> {
  const res = await app.inject({ url: `/v1/figures/changes${cursor ? `?since=${cursor}` : ''}`, headers: consumer.auth });
  cursor = res.json().next_cursor;
  return res.json().data.map((c: { kind: string; figure: { value: string | null; period: string } }) => ({ kind: c.kind, value: c.figure.value, period: c.figure.period }));
}

type Change = { kind: string; at: string; figure: { indicator: string; region: string; period: string; disaggregation: Record<string, string>; value?: string | null; valid_from?: string } };
const changeId = (c: Change) => [c.kind, c.figure.indicator, c.figure.region, c.figure.period, JSON.stringify(c.figure.disaggregation), c.figure.valid_from].join('|');
async function replay(since: string | undefined, limit: number, auth: Auth = consumer.auth): Promise<Change[]> {
  const out: Change[] = [];
  for (;;) {
    const res = await app.inject({ url: `/v1/figures/changes?limit=${limit}${since ? `&since=${since}` : ''}`, headers: auth });
    const page = res.json();
    out.push(...page.data);
    since = page.next_cursor;
    if (!page.has_more) return out;
  }
}

t.test('manual policy: a conflict is shown, the key is disputed, a walidata resolves it with a rationale', async (t) => {
  await publishFigure(dinsos.auth, 128);
  t.match(await figure('2025'), { status: 'final', value: '128', method: 'single-source', unit: 'orang', source: { agency: 'DINSOS-6571', version: 1 } });
  t.same(await drain(), [{ kind: 'new', value: '128', period: '2025' }]);

  await publishFigure(dp3.auth, 141);
  const disputed = await figure('2025');
  t.match(disputed, { status: 'disputed', value: null, method: null });
  t.notOk('candidates' in disputed, 'candidates only on request');
  const withCandidates = await figure('2025', verifier.auth, '&includeCandidates=true');
  t.same(withCandidates.candidates.map((c: { agency: string; value: string }) => [c.agency, c.value]).sort(), [['DINSOS-6571', '128'], ['DP3AP2KB-6571', '141']]);
  t.same((await figure('2025', consumer.auth, '&includeCandidates=true')).candidates, [], 'a consumer does not see the candidates of terbatas datasets');

  const conflicts = await app.inject({ url: '/v1/conflicts?status=open&indicator=PPKS-06', headers: verifier.auth });
  t.equal(conflicts.json().data.length, 1);
  const conflict = conflicts.json().data[0];
  t.match(conflict, { region: '65.71', period: '2025', proposal: null });
  const detail = await app.inject({ url: `/v1/conflicts/${conflict.id}`, headers: dinsos.auth });
  t.equal(detail.statusCode, 200, 'an agency in the conflict sees it');

  const noRationale = await app.inject({ method: 'POST', url: `/v1/conflicts/${conflict.id}/resolve`, headers: publisher.auth, payload: { value: 135 } });
  t.equal(noRationale.statusCode, 400, 'an adjudicated value needs a rationale');
  t.equal((await app.inject({ method: 'POST', url: `/v1/conflicts/${conflict.id}/resolve`, headers: dinsos.auth, payload: { agency: 'DINSOS-6571' } })).statusCode, 403, 'a producer cannot resolve');
  const resolved = await app.inject({
    method: 'POST',
    url: `/v1/conflicts/${conflict.id}/resolve`,
    headers: publisher.auth,
    payload: { value: 135, rationale: 'Notulen rapat rekonsiliasi 17 Feb 2026.' },
  });
  t.equal(resolved.statusCode, 200, resolved.body);
  t.match(resolved.json(), { status: 'resolved', resolution: { method: 'manual', value: '135', rationale: 'Notulen rapat rekonsiliasi 17 Feb 2026.' } });
  const again = await app.inject({ method: 'POST', url: `/v1/conflicts/${conflict.id}/resolve`, headers: publisher.auth, payload: { agency: 'DINSOS-6571' } });
  t.equal(again.statusCode, 409, 'resolving twice needs reopen');
  t.match(await figure('2025'), { status: 'final', value: '135', method: 'manual', rationale: 'Notulen rapat rekonsiliasi 17 Feb 2026.', conflict_id: conflict.id, source: null });

  t.same(await drain(), [
    { kind: 'disputed', value: null, period: '2025' },
    { kind: 'resolved', value: '135', period: '2025' },
  ]);
  t.same(await drain(), [], 'nothing is delivered twice');
});

t.test('priority policy resolves automatically with method priority', async (t) => {
  const put = await app.inject({
    method: 'PUT',
    url: '/v1/indicators/PPKS-06/reconciliation-policy',
    headers: verifier.auth,
    payload: { tolerance: { absolute: 0, relative: 0 }, priority: ['DP3AP2KB', 'DINSOS'], method: 'manual', requires_confirmation: false },
  });
  t.equal(put.statusCode, 200, put.body);
  await publishFigure(dinsos.auth, 90, '2024');
  await publishFigure(dp3.auth, 97, '2024');
  t.match(await figure('2024'), { status: 'final', value: '97', method: 'priority', source: { agency: 'DP3AP2KB-6571' } });
  const conflicts = await app.inject({ url: '/v1/conflicts?period=2024', headers: verifier.auth });
  t.match(conflicts.json().data, [{ status: 'resolved', resolution: { method: 'priority', value: '97', automatic: true } }]);
  t.same(await drain(), [
    { kind: 'new', value: '90', period: '2024' },
    { kind: 'revised', value: '97', period: '2024' },
  ]);
});

t.test('consumers pull JSON and CSV with ETags, and asOf shows history', async (t) => {
  const first = await app.inject({ url: '/v1/figures?indicator=PPKS-06&region=65.71', headers: consumer.auth });
  t.equal(first.statusCode, 200);
  t.same(first.json().data.map((f: { period: string; value: string }) => [f.period, f.value]), [['2024', '97'], ['2025', '135']]);
  const etag = first.headers.etag as string;
  t.match(etag, /^"[A-Za-z0-9_-]+"$/);
  const notModified = await app.inject({ url: '/v1/figures?indicator=PPKS-06&region=65.71', headers: { ...consumer.auth, 'if-none-match': etag } });
  t.equal(notModified.statusCode, 304);
  t.equal(notModified.body, '');

  const csv = await app.inject({ url: '/v1/figures?indicator=PPKS-06&region=65.71&format=csv', headers: consumer.auth });
  t.match(csv.headers['content-type'], /text\/csv/);
  const lines = csv.body.trim().split('\n');
  t.match(lines[0], /^indicator,region,region_name,period,/);
  t.match(lines[2], /^PPKS-06,65\.71,Kota Tarakan,2025,.*,final,135,orang,manual,/);

  const history = await app.inject({ url: '/v1/audit-log?entity_type=conflict', headers: verifier.auth });
  const resolvedAt = history.json().data.find((e: { action: string }) => e.action === 'conflict.resolved').at as string;
  const before = new Date(Date.parse(resolvedAt) - 1).toISOString();
  t.match(await figure('2025', consumer.auth, `&asOf=${encodeURIComponent(before)}`), { status: 'disputed' }, 'asOf just before the resolution: disputed');

  const series = await app.inject({ url: '/v1/figures/series?indicator=PPKS-06&region=65.71', headers: consumer.auth });
  t.same(series.json().data.map((f: { period: string; method: string }) => [f.period, f.method]), [['2024', 'priority'], ['2025', 'manual']]);
});

t.test('bad input on the pull API', async (t) => {
  const bad = async (query: string) => (await app.inject({ url: `/v1/figures?${query}`, headers: consumer.auth })).statusCode;
  t.equal(await bad('cursor=not-a-cursor'), 400, 'invalid cursor');
  t.equal(await bad(`asOf=${encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString())}`), 400, 'asOf in the future');
  t.equal(await bad('asOf=yesterday'), 400, 'malformed asOf');
  t.equal(await bad('limit=1001'), 400, 'page size above the maximum');
  t.equal(await bad('period=2025-13'), 400, 'malformed period');
  t.equal((await app.inject({ url: '/v1/figures/changes?since=%%%', headers: consumer.auth })).statusCode, 400, 'invalid change cursor');
  t.equal((await app.inject({ url: '/v1/figures' })).statusCode, 401);
});

t.test('figures of closed (tertutup) datasets are not served to consumers', async (t) => {
  await publishFigure(dinsos.auth, 12, '2023', 'tertutup');
  t.notOk(await figure('2023'), 'hidden from consumers');
  t.match(await figure('2023', verifier.auth), { value: '12' }, 'walidata see it');
});

t.test('a closed (tertutup) dataset that wins by priority does not leak its value to consumers', async (t) => {
  // The priority policy from above puts DP3AP2KB first; its dataset here is closed.
  await publishFigure(dinsos.auth, 40, '2022', 'terbuka');
  await publishFigure(dp3.auth, 44, '2022', 'tertutup');
  t.match(await figure('2022', verifier.auth), { status: 'final', value: '44', method: 'priority', source: { agency: 'DP3AP2KB-6571' } }, 'walidata see the chosen value');
  t.notOk(await figure('2022'), 'a consumer gets neither the closed value nor its source');
  const all = await app.inject({ url: '/v1/figures?indicator=PPKS-06&region=65.71', headers: consumer.auth });
  t.notOk(all.json().data.some((f: { period: string }) => f.period === '2022'), 'nor in a wider query');
});

t.test('the series and the change feed keep closed (tertutup) values from consumers too', async (t) => {
  const series = await app.inject({ url: '/v1/figures/series?indicator=PPKS-06&region=65.71', headers: consumer.auth });
  t.same(series.json().data.map((f: { period: string }) => f.period), ['2024', '2025'], 'no 2022 (closed source) nor 2023 (closed only)');
  const walidataSeries = await app.inject({ url: '/v1/figures/series?indicator=PPKS-06&region=65.71', headers: verifier.auth });
  t.same(walidataSeries.json().data.map((f: { period: string; value: string }) => [f.period, f.value]), [['2022', '44'], ['2023', '12'], ['2024', '97'], ['2025', '135']]);

  const feed = (await replay(undefined, 1000)).filter((c) => c.figure.indicator === 'PPKS-06' && ['2022', '2023'].includes(c.figure.period));
  t.same(
    feed.map((c) => [c.kind, c.figure.period, c.figure.value]),
    [
      ['new', '2022', '40'],
      ['withdrawn', '2022', undefined],
    ],
    'the open figure, then its withdrawal when a closed dataset took over; nothing of the closed-only 2023',
  );
  t.same(Object.keys(feed[1]!.figure).sort(), ['disaggregation', 'indicator', 'period', 'region'], 'a withdrawal carries only the key');
  const walidataFeed = (await replay(undefined, 1000, verifier.auth)).filter((c) => c.figure.indicator === 'PPKS-06' && ['2022', '2023'].includes(c.figure.period));
  t.same(walidataFeed.map((c) => [c.kind, c.figure.period, c.figure.value]), [['new', '2023', '12'], ['new', '2022', '40'], ['revised', '2022', '44']], 'walidata see every change');
});

// PPKS-07 (no policy: manual), one open dataset of DINSOS across years, kecamatan and sex,
// and a DP3AP2KB figure that disagrees on 2023.
const ppks07 = (region: string, period: string, value: number, sex?: string) => ({ indicator: 'PPKS-07', region, period, value, ...(sex ? { sex } : {}) });
type Pulled = { region: string; period: string; disaggregation: Record<string, string>; value: string | null; status: string };
const keysOf = (data: Pulled[]) => data.map((f) => [f.region, f.period, f.disaggregation.sex ?? '', f.value]);
const pull = async (query: string, auth: Auth = consumer.auth) => (await app.inject({ url: `/v1/figures?indicator=PPKS-07&${query}`, headers: auth })).json().data as Pulled[];

t.test('filters of the pull API: within, regionLevel, period range, breakdown, status', async (t) => {
  await publish(
    dinsos.auth,
    [
      ppks07('65.71', '2023', 20),
      ppks07('65.71', '2024', 21),
      ppks07('65.71', '2025', 22),
      ppks07('65.71', '2025', 12, 'L'),
      ppks07('65.71', '2025', 10, 'P'),
      ppks07('65.71.01', '2025', 5),
      ppks07('65.71.02', '2025', 6),
    ],
    'terbuka',
  );
  await publish(dp3.auth, [ppks07('65.71', '2023', 25)], 'terbuka');

  t.same(keysOf(await pull('within=65.71')), [['65.71.01', '2025', '', '5'], ['65.71.02', '2025', '', '6']], 'within: the regions inside, not the region itself');
  t.same(keysOf(await pull('within=65.71.01')), [], 'nothing inside a kecamatan was reported');
  t.same(keysOf(await pull('regionLevel=kecamatan')), [['65.71.01', '2025', '', '5'], ['65.71.02', '2025', '', '6']]);
  t.same(keysOf(await pull('regionLevel=kabkota&period=2025')), [['65.71', '2025', '', '22'], ['65.71', '2025', 'L', '12'], ['65.71', '2025', 'P', '10']]);
  t.same(keysOf(await pull('region=65.71&periodFrom=2024&periodTo=2025&breakdown=total')), [['65.71', '2024', '', '21'], ['65.71', '2025', '', '22']], 'period range, inclusive, totals only');
  t.same(keysOf(await pull('region=65.71&periodTo=2023')), [['65.71', '2023', '', null]]);
  t.same(keysOf(await pull('sex=P')), [['65.71', '2025', 'P', '10']], 'one breakdown dimension');
  t.same(keysOf(await pull('status=disputed')), [['65.71', '2023', '', null]], 'the key the agencies disagree on');
  t.notOk((await pull('status=final')).some((f) => f.period === '2023'));
  t.equal((await app.inject({ url: '/v1/figures?regionLevel=kampung', headers: consumer.auth })).statusCode, 400, 'unknown region level');
});

t.test('pages follow each other through the cursor, in JSON and in CSV (Link header)', async (t) => {
  const all = keysOf(await pull(''));
  t.equal(all.length, 7);
  const first = (await app.inject({ url: '/v1/figures?indicator=PPKS-07&limit=4', headers: consumer.auth })).json();
  t.equal(first.data.length, 4);
  t.type(first.page.next_cursor, 'string');
  const second = (await app.inject({ url: `/v1/figures?indicator=PPKS-07&limit=4&cursor=${first.page.next_cursor}`, headers: consumer.auth })).json();
  t.same([...keysOf(first.data), ...keysOf(second.data)], all, 'the second page continues where the first stopped, nothing twice');
  t.equal(second.page.next_cursor, null, 'no third page');

  // A CSV client asks by Accept alone and follows the Link header.
  const csvRows: string[] = [];
  let url: string | null = '/v1/figures?indicator=PPKS-07&limit=3';
  let pages = 0;
  while (url) {
    const res = await app.inject({ url, headers: { ...consumer.auth, accept: 'text/csv' } });
    t.equal(res.statusCode, 200, res.body);
    t.match(res.headers['content-type'], /^text\/csv/);
    const [header, ...rows] = res.body.trim().split('\n');
    t.match(header, /^indicator,region,region_name,period,sex,/);
    csvRows.push(...rows);
    pages += 1;
    const link = res.headers.link as string | undefined;
    if (link) t.match(link, /^<\/v1\/figures\?.*cursor=.*>; rel="next"$/);
    url = link ? /^<([^>]+)>/.exec(link)![1]! : null;
  }
  t.equal(pages, 3);
  t.same(
    csvRows.map((line) => line.split(',')).map((c) => [c[1], c[3], c[4], c[10] || null]),
    all,
    'every figure once, in order, across the CSV pages',
  );
});

t.test('a client replaying the change feed from an old cursor gets every later change exactly once, in order', async (t) => {
  const whole = (await replay(undefined, 1000)).map(changeId);
  t.ok(whole.length > 10);
  // A client that synced part of the feed long ago kept this cursor.
  const start = await app.inject({ url: '/v1/figures/changes?limit=5', headers: consumer.auth });
  const oldCursor = start.json().next_cursor as string;
  t.same(start.json().data.map(changeId), whole.slice(0, 5));

  // Changes keep coming after the cursor was handed out.
  await publish(dinsos.auth, [ppks07('65.71', '2024', 23)], 'terbuka');
  const later = (await replay(oldCursor, 3)).map(changeId);
  t.same(later.slice(0, whole.length - 5), whole.slice(5), 'every change after the cursor, in the order first served');
  t.equal(later.length, whole.length - 5 + 1, 'plus the one made since');
  t.match(later[later.length - 1], /^revised\|PPKS-07\|65\.71\|2024\|\{\}\|/);
  t.equal(new Set(later).size, later.length, 'nothing twice');
  t.same((await replay(oldCursor, 1000)).map(changeId), later, 'the same cursor replays the same changes, whatever the page size');
});

t.test('reclassifying a dataset to and from tertutup reaches consumers through the change feed, each change once', async (t) => {
  const cursors = new Map<string, string>();
  const sync = async (auth: Auth) => {
    const out: Change[] = [];
    for (;;) {
      const since = cursors.get(auth.authorization);
      const page = (await app.inject({ url: `/v1/figures/changes${since ? `?since=${since}` : ''}`, headers: auth })).json();
      out.push(...page.data);
      cursors.set(auth.authorization, page.next_cursor);
      if (!page.has_more) return out.map((c) => [c.kind, c.figure.period, c.figure.value]);
    }
  };
  const key2021 = (changes: Change[]) => changes.filter((c) => c.figure.indicator === 'PPKS-06' && c.figure.period === '2021').map((c) => [c.kind, c.figure.value]);
  const reclassify = async (access: string) => {
    const res = await app.inject({ method: 'PATCH', url: `/v1/datasets/${id}`, headers: dinsos.auth, payload: { access_classification: access } });
    t.equal(res.statusCode, 200, `PATCH to ${access}`);
  };

  await sync(consumer.auth);
  await sync(verifier.auth);
  const id = await publishFigure(dinsos.auth, 31, '2021');
  t.same(await sync(consumer.auth), [['new', '2021', '31']], 'the consumer syncs the restricted figure');
  t.same(await sync(verifier.auth), [['new', '2021', '31']]);
  const synced = cursors.get(consumer.auth.authorization)!;

  await reclassify('tertutup');
  t.same(await sync(consumer.auth), [['withdrawn', '2021', undefined]], 'closing the dataset withdraws it, once');
  t.notOk(await figure('2021'), 'and /v1/figures no longer serves it');
  t.same(await sync(verifier.auth), [], 'walidata saw nothing change');
  t.same(key2021(await replay(undefined, 1000)), [['withdrawn', undefined]], 'a consumer starting now never gets the value');

  await reclassify('terbatas');
  t.same(await sync(consumer.auth), [['new', '2021', '31']], 'reopening brings it back, once');
  t.match(await figure('2021'), { value: '31' });
  t.same(await sync(verifier.auth), []);
  t.same(await sync(consumer.auth), [], 'nothing more');

  await reclassify('terbuka');
  t.same(await sync(consumer.auth), [], 'a change that hides nothing writes nothing');

  t.same(key2021(await replay(undefined, 1000)), [['new', '31']], 'replayed from the start: the figure once');
  t.same(key2021(await replay(undefined, 2)), [['new', '31']], 'whatever the page size');
  t.same(key2021(await replay(synced, 1000)), [['new', '31']], 'a consumer that missed both changes gets the figure once more, unchanged');
  t.same(key2021(await replay(undefined, 1000, verifier.auth)), [['new', '31']], 'walidata replay it once too');
  t.match(await figure('2021', verifier.auth), { value: '31', source: { dataset_id: id } }, 'walidata are served it throughout');
});

t.test('a page served again is the same bytes, and any change of the data or its labels is served at once', async (t) => {
  const url = '/v1/figures?indicator=PPKS-06&region=65.71&period=2019';
  const get = () => app.inject({ url, headers: consumer.auth });
  await publishFigure(dinsos.auth, 70, '2019', 'terbuka');
  const first = await get();
  const again = await get();
  t.equal(again.body, first.body);
  t.equal(again.headers.etag, first.headers.etag);
  t.match(first.json().data, [{ value: '70' }]);
  const name = first.json().data[0].indicator_name as string;

  await publishFigure(dp3.auth, 71, '2019', 'terbuka');
  t.match((await get()).json().data, [{ value: '71', method: 'priority' }], 'a newer publication, not the page kept from before');

  const renamed = await app.inject({ method: 'PATCH', url: '/v1/indicators/PPKS-06', headers: verifier.auth, payload: { name: 'Anak korban kekerasan (uji)' } });
  t.equal(renamed.statusCode, 200, renamed.body);
  const relabelled = await get();
  t.match(relabelled.json().data, [{ indicator_name: 'Anak korban kekerasan (uji)' }], 'an indicator edit shows on the next pull');
  t.not(relabelled.headers.etag, first.headers.etag);
  t.equal((await app.inject({ url, headers: { ...consumer.auth, 'if-none-match': relabelled.headers.etag as string } })).statusCode, 304, 'a kept page still answers 304');
  await app.inject({ method: 'PATCH', url: '/v1/indicators/PPKS-06', headers: verifier.auth, payload: { name } });
});

t.test('a change entry carries its figure exactly as /v1/figures serves it, but for the indicator\'s definition and formula', async (t) => {
  type Served = Change['figure'] & { valid_to: string | null; source: object | null };
  const keyOf = (f: Served) => [f.indicator, f.region, f.period, JSON.stringify(f.disaggregation)].join('|');
  for (const auth of [verifier.auth, consumer.auth]) {
    const current = new Map(((await app.inject({ url: '/v1/figures?limit=1000', headers: auth })).json().data as Served[]).map((f) => [keyOf(f), f]));
    const entries = (await replay(undefined, 1000, auth)).map((c) => c.figure as Served).filter((f) => f.valid_to === null && current.has(keyOf(f)));
    t.ok(entries.length >= 10, `${entries.length} entries of figures served now`);
    t.ok(entries.some((f) => f.source !== null), 'some with their source');
    for (const entry of entries) t.same(entry, asFeedFigure(current.get(keyOf(entry))!), keyOf(entry));
    t.notOk(entries.some((f) => 'definition' in f || 'formula' in f), 'no entry repeats them');
  }
});
