import t from 'tap';
import { datasetBody } from '../../helpers/datasets.js';
import { createAgency, createTestApp, type TestContext } from '../../helpers/test-app.js';

// A push keeps its points in memory for the plausibility checks up to PUSH_MEMORY_POINTS and
// reads them back from the database beyond; either way it judges them PUSH_SLICE_POINTS at a
// time. Every way must find exactly the same.
const years = ['2021', '2022', '2023', '2024', '2025'];
const obs = (region: string, period: string, value: number, sex?: string) => ({ indicator: 'PPKS-06', region, period, value, ...(sex ? { sex } : {}) });

type Report = {
  status: string;
  summary: { by_code: { code: string; count: number }[] };
  findings: { code: string; row?: number; pointer?: string; anomaly?: { region: string; period: string; details: Record<string, unknown> } }[];
};

/** One agency's history, then a push with a jump, a drop to zero, a copied-forward series, an incoherent total and a repeated key. */
async function scenario(ctx: TestContext): Promise<Report[]> {
  await createAgency(ctx, 'DINSOS-6571', '65.71');
  const producer = await ctx.login('producer', 'DINSOS-6571');
  const created = await ctx.app.inject({ method: 'POST', url: '/v1/datasets', headers: producer.auth, payload: { ...datasetBody, reference_periods: years } });
  const id = created.json().id as string;
  const push = async (observations: unknown[]) => {
    const res = await ctx.app.inject({ method: 'POST', url: `/v1/datasets/${id}/versions`, headers: producer.auth, payload: { observations } });
    if (res.statusCode !== 201) throw new Error(res.body);
    return res.json() as Report;
  };
  const history = await push(
    years.slice(0, 4).flatMap((y, i) => [obs('65.71.01', y, [40, 44, 41, 43][i]!), obs('65.71.02', y, [10, 12, 15, 14][i]!), obs('65.71.03', y, 7), obs('65.71.04', y, 100 + i)]),
  );
  const latest = await push([
    obs('65.71.01', '2025', 190),
    obs('65.71.02', '2025', 0),
    obs('65.71.03', '2025', 7),
    obs('65.71.04', '2025', 103),
    // Less than its kecamatan add up to, and more women than Tarakan has.
    obs('65.71', '2025', 150),
    obs('65.71', '2025', 200_000, 'P'),
    obs('65.71.02', '2025', 55),
  ]);
  return [history, latest];
}

const anomalies = (report: Report) =>
  report.findings
    .filter((f) => f.anomaly)
    .map((f) => ({ code: f.code, row: f.row, pointer: f.pointer, anomaly: f.anomaly }))
    .sort((a, b) => `${a.code}${a.pointer}`.localeCompare(`${b.code}${b.pointer}`));

t.test('the plausibility checks find the same whether the points were kept in memory or read back', async (t) => {
  const [kept, readBack] = [await scenario(await createTestApp(t)), await scenario(await createTestApp(t, { PUSH_MEMORY_POINTS: '0' }))];
  const latest = anomalies(kept[1]!);
  t.same(
    [...new Set(latest.map((f) => f.code))].sort(),
    ['AN_ABOVE_POPULATION', 'AN_CHILDREN_EXCEED_PARENT', 'AN_DROP_TO_ZERO', 'AN_FLAT_SERIES', 'AN_JUMP'],
    'the scenario finds each kind of anomaly',
  );
  t.equal(kept[1]!.status, 'rejected', 'the repeated key rejects the push');
  t.notOk(latest.some((f) => f.anomaly!.region === '65.71.02' && f.anomaly!.details.value === 55), 'the repeated key is judged by its first figure only');
  t.same(anomalies(kept[0]!), anomalies(readBack[0]!));
  t.same(latest, anomalies(readBack[1]!));
  t.same(kept[1]!.summary.by_code, readBack[1]!.summary.by_code);
});

t.test('judged one point at a time, whole series and whole peer groups still, the checks find the same as all at once', async (t) => {
  const whole = await scenario(await createTestApp(t));
  const envs: Record<string, string>[] = [{ PUSH_SLICE_POINTS: '1' }, { PUSH_SLICE_POINTS: '1', PUSH_MEMORY_POINTS: '0' }, { PUSH_SLICE_POINTS: '3' }];
  for (const env of envs) {
    const sliced = await scenario(await createTestApp(t, env));
    t.same(anomalies(sliced[1]!), anomalies(whole[1]!), JSON.stringify(env));
    t.same(anomalies(sliced[0]!), anomalies(whole[0]!));
    t.same(sliced[1]!.summary, whole[1]!.summary);
  }
});
