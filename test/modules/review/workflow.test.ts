import t from 'tap';
import { datasetBody } from '../../helpers/datasets.js';
import { createAgency, createTestApp } from '../../helpers/test-app.js';

// The "done when": implausible series are caught at push time, and a dataset goes
// through return → correction → verify → publish with the whole story in its history.
const ctx = await createTestApp(t);
const { app } = ctx;
await createAgency(ctx, 'DINSOS-6571', '65.71');
await createAgency(ctx, 'DISKOMINFO-6571', '65.71', 'DISKOMINFO');
await createAgency(ctx, 'DISKOMINFO-65', '65', 'DISKOMINFO');
await createAgency(ctx, 'DISKOMINFO-6501', '65.01', 'DISKOMINFO');
const producer = await ctx.login('producer', 'DINSOS-6571');
const cityWalidata = await ctx.login('walidata', 'DISKOMINFO-6571');
const provinceWalidata = await ctx.login('walidata', 'DISKOMINFO-65');
const otherCityWalidata = await ctx.login('walidata', 'DISKOMINFO-6501');

const years = ['2021', '2022', '2023', '2024', '2025'];

async function newDataset(auth = producer.auth, periods = years): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v1/datasets', headers: auth, payload: { ...datasetBody, reference_periods: periods } });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json().id as string;
}

/** One series per kecamatan of Kota Tarakan for PPKS-06, one value per year. */
function series(region: string, values: number[]) {
  return values.map((value, i) => ({ indicator: 'PPKS-06', region, period: years[i], value }));
}

function push(id: string, observations: unknown[], auth = producer.auth) {
  return app.inject({ method: 'POST', url: `/v1/datasets/${id}/versions`, headers: auth, payload: { observations } });
}

function review(id: string, version: number, auth: { authorization: string }, payload: object) {
  return app.inject({ method: 'POST', url: `/v1/datasets/${id}/versions/${version}/review`, headers: auth, payload });
}

type ReportFinding = { code: string; severity: string; principle: string; row?: number; anomaly?: { detector: string; region: string; period: string; details: Record<string, unknown> } };

t.test('the jump, drop-to-zero and flat series of the issue are found, each on the right point, and a plausible series is left alone', async (t) => {
  const id = await newDataset();
  const res = await push(id, [
    ...series('65.71.01', [40, 44, 41, 43, 190]),
    ...series('65.71.02', [10, 12, 15, 14, 0]),
    ...series('65.71.03', [7, 7, 7, 7, 7]),
    ...series('65.71.04', [100, 104, 98, 110, 103]),
  ]);
  t.equal(res.statusCode, 201, res.body);
  const report = res.json();
  t.equal(report.status, 'submitted', 'anomaly warnings do not reject a version');
  const anomalies = (report.findings as ReportFinding[]).filter((f) => f.principle === 'kewajaran');
  const found = anomalies.map((f) => [f.code, f.anomaly!.region, f.anomaly!.period]).sort();
  t.same(found, [
    ['AN_DROP_TO_ZERO', '65.71.02', '2025'],
    ['AN_FLAT_SERIES', '65.71.03', '2025'],
    ['AN_JUMP', '65.71.01', '2025'],
  ]);
  const jump = anomalies.find((f) => f.code === 'AN_JUMP')!;
  t.equal(jump.row, 5, 'the finding points at the pushed row');
  t.match(jump.anomaly!.details, { value: 190, compared: [{ period: '2024', value: 43 }], threshold: { max_ratio: 2, min_change: 10 } });
  t.equal(jump.severity, 'warning');
  t.match(report.summary.by_code, [{ code: String }]);
  t.ok(report.summary.by_code.some((c: { code: string; principle: string }) => c.code === 'AN_JUMP' && c.principle === 'kewajaran'));
});

t.test('history from an earlier push counts: a later push that jumps is flagged against it', async (t) => {
  const id = await newDataset();
  t.equal((await push(id, series('65.71.01', [40, 44, 41, 43]))).json().summary.warnings, 0);
  const res = await push(id, [{ indicator: 'PPKS-06', region: '65.71.01', period: '2025', value: 190 }]);
  const jump = (res.json().findings as ReportFinding[]).filter((f) => f.code === 'AN_JUMP');
  t.equal(jump.length, 1);
  t.match(jump[0]!.anomaly!.details, { compared: [{ period: '2024', value: 43 }] });
});

t.test('history is read as far back as the checks look: a long copied-forward run is reported as at least that long', async (t) => {
  // An agency of its own: history is the agency's, across its datasets, and the other tests' must not mix in.
  await createAgency(ctx, 'DINSOS-6502', '65.02');
  const malinau = await ctx.login('producer', 'DINSOS-6502');
  const decade = Array.from({ length: 11 }, (_, i) => String(2015 + i));
  const id = await newDataset(malinau.auth, decade);
  const yearly = (region: string, values: number[], from = 0) => values.map((value, i) => ({ indicator: 'PPKS-06', region, period: decade[from + i], value }));
  const first = await push(id, [...yearly('65.02.01', Array(10).fill(7_000)), ...yearly('65.02.02', [40, 44, 41, 43, 42, 45, 44, 43, 41, 44])], malinau.auth);
  const flatInFirst = (first.json().findings as ReportFinding[]).filter((f) => f.code === 'AN_FLAT_SERIES');
  t.equal(flatInFirst.length, 1, first.body);
  t.match(flatInFirst[0]!.anomaly!.details, { run_length: 10, run_may_start_earlier: false }, 'a run the push holds whole is reported whole');

  const res = await push(id, [...yearly('65.02.01', [7_000], 10), ...yearly('65.02.02', [190], 10)], malinau.auth);
  t.equal(res.statusCode, 201, res.body);
  const findings = res.json().findings as (ReportFinding & { message: { id: string; en: string } })[];
  const flat = findings.filter((f) => f.code === 'AN_FLAT_SERIES');
  t.equal(flat.length, 1);
  // The default rules look 5 periods back (a flat window of 6): ten earlier equal years show as six, "at least".
  t.match(flat[0]!.anomaly!.details, { run_length: 6, run_may_start_earlier: true, compared: [{ period: '2020' }, {}, {}, {}, {}, { period: '2025' }] });
  t.match(JSON.stringify(flat[0]), /at least 6 consecutive periods \(2020–2025, perhaps from earlier\)/);
  t.match(JSON.stringify(flat[0]), /sekurang-kurangnya 6 periode/);
  const jump = findings.filter((f) => f.code === 'AN_JUMP');
  t.equal(jump.length, 1, 'the jump is still judged against the latest earlier year');
  t.match(jump[0]!.anomaly!.details, { compared: [{ period: '2024', value: 44 }] });

  // A correction of an old year, with later years stored: judged against the year before it.
  const old = await push(id, yearly('65.02.02', [410], 2), malinau.auth);
  t.equal(old.statusCode, 201, old.body);
  const oldJump = (old.json().findings as ReportFinding[]).filter((f) => f.code === 'AN_JUMP');
  t.equal(oldJump.length, 1, old.body);
  t.match(oldJump[0]!.anomaly!, { period: '2017', details: { value: 410, compared: [{ period: '2016', value: 44 }] } });
});

t.test('a dataset is returned, corrected, verified and published, with the history to show for it', async (t) => {
  const id = await newDataset();
  t.equal((await push(id, series('65.71.01', [40, 44, 41, 43, 190]))).statusCode, 201);

  // The agency explains the jump; the city walidata still sends the version back.
  const list = await app.inject({ url: `/v1/findings?dataset=${id}&detector=jump`, headers: producer.auth });
  t.equal(list.statusCode, 200);
  const [finding] = list.json().data;
  t.equal(finding.status, 'open');
  const inbox = await app.inject({ url: '/v1/inbox', headers: producer.auth });
  t.ok(inbox.json().findings_to_answer.data.some((f: { id: string }) => f.id === finding.id), 'the open finding waits in the producer inbox');
  const answered = await app.inject({ method: 'POST', url: `/v1/findings/${finding.id}/answer`, headers: producer.auth, payload: { answer: 'Program penjangkauan baru menemukan 147 anak tambahan.' } });
  t.equal(answered.statusCode, 200, answered.body);
  t.equal(answered.json().status, 'answered');
  const walidataInbox = await app.inject({ url: '/v1/inbox', headers: cityWalidata.auth });
  t.ok(walidataInbox.json().findings_to_decide.data.some((f: { id: string }) => f.id === finding.id));
  t.ok(walidataInbox.json().versions_to_verify.data.some((v: { dataset_id: string; version: number }) => v.dataset_id === id && v.version === 1));

  const noNote = await review(id, 1, cityWalidata.auth, { action: 'return' });
  t.equal(noNote.statusCode, 400, 'returning needs a note');
  t.equal(noNote.json().errors[0].pointer, '/note');
  const returned = await review(id, 1, cityWalidata.auth, { action: 'return', note: 'Nilai 2021 perlu dicek ulang.' });
  t.equal(returned.statusCode, 200, returned.body);
  t.match(returned.json(), { from_status: 'submitted', status: 'returned', note: 'Nilai 2021 perlu dicek ulang.' });
  const returnedInbox = await app.inject({ url: '/v1/inbox', headers: producer.auth });
  t.match(returnedInbox.json().returned_versions.data, [{ dataset_id: id, version: 1, return_note: 'Nilai 2021 perlu dicek ulang.' }]);

  // The corrected push is version 2; the returned one stays in history.
  t.equal((await push(id, series('65.71.01', [42, 44, 41, 43, 45]))).json().version, 2);
  t.equal((await app.inject({ url: '/v1/inbox', headers: producer.auth })).json().returned_versions.count, 0, 'a correction clears the returned version');
  t.equal((await review(id, 2, producer.auth, { action: 'verify' })).statusCode, 403, 'a producer cannot verify its own data');
  t.equal((await review(id, 2, otherCityWalidata.auth, { action: 'verify' })).statusCode, 403, 'a walidata of another city may not verify');
  t.equal((await review(id, 2, cityWalidata.auth, { action: 'publish' })).statusCode, 409, 'publishing skips verification');
  const verified = await review(id, 2, cityWalidata.auth, { action: 'verify' });
  t.equal(verified.statusCode, 200, verified.body);
  const sameTier = await review(id, 2, cityWalidata.auth, { action: 'publish' });
  t.equal(sameTier.statusCode, 403, 'the city walidata does not publish city data');
  t.equal(sameTier.json().code, 'REVIEW_NOT_PERMITTED');
  t.ok((await app.inject({ url: '/v1/inbox', headers: provinceWalidata.auth })).json().versions_to_publish.data.some((v: { dataset_id: string }) => v.dataset_id === id));
  const published = await review(id, 2, provinceWalidata.auth, { action: 'publish' });
  t.equal(published.statusCode, 200, published.body);
  t.match(published.json(), { status: 'published', supersedes: [] });

  const rejectedTransition = await review(id, 1, provinceWalidata.auth, { action: 'publish' });
  t.equal(rejectedTransition.statusCode, 409);
  t.same(rejectedTransition.json().allowed_actions, [], 'a returned version allows no further step');

  const history = await app.inject({ url: `/v1/datasets/${id}/history`, headers: producer.auth });
  t.equal(history.statusCode, 200);
  const actions = history.json().data.map((e: { action: string }) => e.action).reverse();
  t.same(actions, [
    'dataset.created',
    'dataset.version-pushed',
    'finding.answered',
    'dataset.version-returned',
    'dataset.version-pushed',
    'dataset.version-verified',
    'dataset.version-published',
  ]);
  const returnEntry = history.json().data.find((e: { action: string }) => e.action === 'dataset.version-returned');
  t.match(returnEntry, { actor_id: cityWalidata.clientId, before: { version: 1, status: 'submitted' }, after: { version: 1, status: 'returned', note: 'Nilai 2021 perlu dicek ulang.' } }, 'the audit entry carries the note');
  t.match(history.json().data.find((e: { action: string }) => e.action === 'dataset.version-verified'), { actor_id: cityWalidata.clientId, after: { status: 'verified', note: null } });
});

t.test('a newer published version supersedes the older one for the keys it covers', async (t) => {
  const id = await newDataset();
  const publish = async (version: number) => {
    t.equal((await review(id, version, cityWalidata.auth, { action: 'verify' })).statusCode, 200);
    return review(id, version, provinceWalidata.auth, { action: 'publish' });
  };
  await push(id, [...series('65.71.01', [40, 44, 41, 43, 45]), ...series('65.71.02', [10, 12, 11, 13, 12])]);
  t.equal((await publish(1)).statusCode, 200);
  await push(id, [{ indicator: 'PPKS-06', region: '65.71.01', period: '2025', value: 46 }]);
  const second = await publish(2);
  t.same(second.json().supersedes, [{ version: 1, keys: 1 }]);
});

t.test('an anomaly configured as error holds back publication until it is explained', async (t) => {
  const walidata = await ctx.login('walidata');
  const put = await app.inject({ method: 'PUT', url: '/v1/indicators/PPKS-06/quality-rules', headers: walidata.auth, payload: { jump: { severity: 'error' } } });
  t.equal(put.statusCode, 200, put.body);
  t.teardown(async () => {
    await app.inject({ method: 'PUT', url: '/v1/indicators/PPKS-06/quality-rules', headers: walidata.auth, payload: {} });
  });
  const id = await newDataset();
  const res = await push(id, series('65.71.01', [40, 44, 41, 43, 190]));
  t.equal(res.json().status, 'submitted', 'an implausible figure is not an invalid one');
  t.match(res.json().summary.verdict, /1 plausibility error/);
  t.equal((await review(id, 1, cityWalidata.auth, { action: 'verify' })).statusCode, 200);
  const blocked = await review(id, 1, provinceWalidata.auth, { action: 'publish' });
  t.equal(blocked.statusCode, 409);
  t.equal(blocked.json().code, 'VERSION_HAS_OPEN_ERRORS');
  const [finding] = (await app.inject({ url: `/v1/findings?dataset=${id}&severity=error`, headers: provinceWalidata.auth })).json().data;
  const explained = await app.inject({
    method: 'POST',
    url: `/v1/findings/${finding.id}/resolve`,
    headers: provinceWalidata.auth,
    payload: { status: 'explained', note: 'Dikonfirmasi dalam rapat rekonsiliasi.' },
  });
  t.equal(explained.statusCode, 200, explained.body);
  t.match(explained.json(), { status: 'explained', resolution: { status: 'explained', note: 'Dikonfirmasi dalam rapat rekonsiliasi.' } });
  t.equal((await review(id, 1, provinceWalidata.auth, { action: 'publish' })).statusCode, 200);
});

t.test('a rejected version cannot be published: 409 with the transitions its status allows', async (t) => {
  const id = await newDataset();
  const res = await push(id, [{ indicator: 'PPKS-06', region: '65.71.01', period: '2025', value: -5 }]);
  t.equal(res.json().status, 'rejected', res.body);
  for (const action of ['publish', 'verify']) {
    const refused = await review(id, 1, provinceWalidata.auth, { action });
    t.equal(refused.statusCode, 409, action);
    t.match(refused.headers['content-type'], /application\/problem\+json/);
    t.match(refused.json(), { code: 'REVIEW_TRANSITION_INVALID', allowed_actions: [] });
    t.match(refused.json().detail, /rejected/);
  }
  const submitted = await newDataset();
  await push(submitted, series('65.71.01', [40, 44, 41, 43, 45]));
  const early = await review(submitted, 1, provinceWalidata.auth, { action: 'publish' });
  t.same(early.json().allowed_actions, ['verify', 'return'], 'a submitted version names what it does allow');
});

t.test('four eyes: a walidata of the producing agency and the submitter itself cannot approve the version', async (t) => {
  const id = await newDataset();
  await push(id, series('65.71.01', [40, 44, 41, 43, 45]));
  const ownWalidata = await ctx.login('walidata', 'DINSOS-6571');
  const own = await review(id, 1, ownWalidata.auth, { action: 'verify' });
  t.equal(own.statusCode, 403, 'a walidata bound to the producing agency does not verify its data');
  t.match(own.json(), { code: 'REVIEW_NOT_PERMITTED', detail: /empat mata/ });
  const ownInbox = (await app.inject({ url: '/v1/inbox', headers: ownWalidata.auth })).json();
  t.notOk(ownInbox.versions_to_verify.data.some((v: { dataset_id: string }) => v.dataset_id === id), 'nor is it offered the version to verify');
  t.ok((await app.inject({ url: '/v1/inbox', headers: cityWalidata.auth })).json().versions_to_verify.data.some((v: { dataset_id: string }) => v.dataset_id === id));

  // A client that pushed and was later made a walidata (its record is the authority).
  const submitter = await ctx.login('producer', 'DINSOS-6571');
  const mine = await newDataset(submitter.auth);
  t.equal((await push(mine, series('65.71.02', [10, 12, 11, 13, 12]), submitter.auth)).statusCode, 201);
  await ctx.database.db.updateTable('clients').set({ role: 'walidata' }).where('id', '=', submitter.clientId).execute();
  // Written past the API, as the CLI would: on a server its notification reaches the app a
  // moment later (test/db/change-signals.test.ts covers that), so it is marked here at once.
  ctx.app.changes.touchAll();
  for (const action of ['verify', 'return']) {
    const self = await review(mine, 1, submitter.auth, { action, note: 'cek' });
    t.equal(self.statusCode, 403, `the submitter may not ${action} its own push`);
    t.match(self.json().detail, /mengirim versi ini/);
  }
  t.equal((await review(mine, 1, cityWalidata.auth, { action: 'verify' })).statusCode, 200, 'another walidata may');
});

t.test('returned versions wait in the producer inbox oldest first', async (t) => {
  const first = await newDataset();
  const second = await newDataset();
  await push(first, series('65.71.01', [40, 44, 41, 43, 45]));
  await push(second, series('65.71.01', [40, 44, 41, 43, 45]));
  t.equal((await review(first, 1, cityWalidata.auth, { action: 'return', note: 'pertama' })).statusCode, 200);
  t.equal((await review(second, 1, cityWalidata.auth, { action: 'return', note: 'kedua' })).statusCode, 200);
  const returned = (await app.inject({ url: '/v1/inbox', headers: producer.auth })).json().returned_versions.data as { dataset_id: string }[];
  t.same(
    returned.filter((v) => v.dataset_id === first || v.dataset_id === second).map((v) => v.dataset_id),
    [first, second],
  );
});

t.test("a kab/kota push is checked against the province and sibling figures another agency published", async (t) => {
  // Dinas Sosial of the province publishes the province and four of its five kab/kota for 2020;
  // Kota Tarakan then pushes only its own figure. Values are about 1 per 1,000 population.
  await createAgency(ctx, 'DINSOS-65', '65');
  const provinceProducer = await ctx.login('producer', 'DINSOS-65');
  const national = await ctx.login('walidata');
  const kab = { '65.01': 170, '65.02': 105, '65.03': 205, '65.04': 33 };
  const tarakan = 268;
  const provinceTotal = Object.values(kab).reduce((a, b) => a + b, 0) + tarakan;
  const obs = (region: string, value: number) => ({ indicator: 'PPKS-06', region, period: '2020', value });
  const provinceSet = await newDataset(provinceProducer.auth, ['2020']);
  const pushed = await push(provinceSet, [obs('65', provinceTotal), ...Object.entries(kab).map(([r, v]) => obs(r, v))], provinceProducer.auth);
  t.equal(pushed.json().status, 'submitted', 'the province push is accepted');
  t.same((pushed.json().findings as ReportFinding[]).filter((f) => f.principle === 'kewajaran'), [], 'the province push is plausible by itself');
  t.equal((await review(provinceSet, 1, provinceWalidata.auth, { action: 'verify' })).statusCode, 200);
  t.equal((await review(provinceSet, 1, national.auth, { action: 'publish' })).statusCode, 200);

  const citySet = await newDataset(producer.auth, ['2020']);
  const anomalies = async (value: number) => {
    const res = await push(citySet, [obs('65.71', value)]);
    t.equal(res.statusCode, 201, res.body);
    return (res.json().findings as ReportFinding[]).filter((f) => f.principle === 'kewajaran');
  };
  t.same(await anomalies(tarakan), [], 'a figure in line with its siblings and adding up to the province');

  // 300,000 children: far above its siblings per capita, more than the province, and more
  // people than Tarakan has (255,310).
  const found = await anomalies(300_000);
  t.same(found.map((f) => f.code).sort(), ['AN_ABOVE_POPULATION', 'AN_CHILDREN_EXCEED_PARENT', 'AN_PEER_OUTLIER']);
  const bySource = { kind: 'reconciled', agency: 'DINSOS-65', dataset_id: provinceSet, version: 1 };
  const outlier = found.find((f) => f.code === 'AN_PEER_OUTLIER')!;
  t.match(outlier.anomaly, { region: '65.71', period: '2020', details: { basis: 'per-capita', peers: 5 } });
  const peerValues = outlier.anomaly!.details.peer_values as { region: string; source: unknown }[];
  t.same(peerValues.map((p) => p.region).sort(), ['65.01', '65.02', '65.03', '65.04', '65.71']);
  t.match(peerValues.find((p) => p.region === '65.02'), { value: 105, source: bySource }, 'each peer names where its figure came from');
  const coherence = found.find((f) => f.code === 'AN_CHILDREN_EXCEED_PARENT')!;
  t.match(coherence.anomaly, { region: '65.71', details: { parent: { region: '65', value: provinceTotal, source: bySource }, children_sum: 300_000 + provinceTotal - tarakan, children_reported: 5 } });
  t.match(found.find((f) => f.code === 'AN_ABOVE_POPULATION')!.anomaly!.details, { value: 300_000, population: 255310 });

  // The province pushing a lower total is checked against the kab/kota it published before.
  const lower = await push(provinceSet, [obs('65', 400)], provinceProducer.auth);
  const [exceeded] = (lower.json().findings as ReportFinding[]).filter((f) => f.principle === 'kewajaran');
  t.match(exceeded, { code: 'AN_CHILDREN_EXCEED_PARENT', anomaly: { region: '65', details: { value: 400, children_sum: provinceTotal - tarakan, children_reported: 4, children_expected: 5 } } });

  // Detectors switched off do not fire on a push; the others still do.
  const walidata = await ctx.login('walidata');
  const off = await app.inject({ method: 'PUT', url: '/v1/indicators/PPKS-06/quality-rules', headers: walidata.auth, payload: { outlier: { severity: 'off' }, coherence: { severity: 'off' } } });
  t.equal(off.statusCode, 200, off.body);
  t.teardown(async () => {
    await app.inject({ method: 'PUT', url: '/v1/indicators/PPKS-06/quality-rules', headers: walidata.auth, payload: {} });
  });
  t.same((await anomalies(300_000)).map((f) => f.code), ['AN_ABOVE_POPULATION']);
});
