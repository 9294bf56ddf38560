import t from 'tap';
import { createAgency, createTestApp } from '../../helpers/test-app.js';
import { publishing, type Auth } from './publishing.js';

// Agencies that agree within the tolerance: the figure served is the highest-priority
// agency's value, else the median of the agreeing values — never simply the last published.
const ctx = await createTestApp(t);
const { app } = ctx;
await createAgency(ctx, 'DINSOS-6571', '65.71');
await createAgency(ctx, 'DP3AP2KB-6571', '65.71', 'DP3AP2KB');
await createAgency(ctx, 'DISDUKCAPIL-6571', '65.71', 'DISDUKCAPIL');
const dinsos = await ctx.login('producer', 'DINSOS-6571');
const dp3 = await ctx.login('producer', 'DP3AP2KB-6571');
const capil = await ctx.login('producer', 'DISDUKCAPIL-6571');
const { verifier: walidata, publish } = await publishing(ctx);
const consumer = await ctx.login('consumer');

const setPolicy = async (indicator: string, priority: string[]) => {
  const res = await app.inject({
    method: 'PUT',
    url: `/v1/indicators/${indicator}/reconciliation-policy`,
    headers: walidata.auth,
    payload: { tolerance: { absolute: 5, relative: 0 }, priority, method: 'manual', requires_confirmation: false },
  });
  if (res.statusCode !== 200) throw new Error(res.body);
};
const figure = async (indicator: string, auth: Auth = consumer.auth) => {
  const res = await app.inject({ url: `/v1/figures?indicator=${indicator}&region=65.71&period=2025`, headers: auth });
  if (res.statusCode !== 200) throw new Error(res.body);
  return res.json().data[0];
};
const open = async (indicator: string) => (await app.inject({ url: `/v1/conflicts?indicator=${indicator}`, headers: walidata.auth })).json().data;

t.test('no listed agency among them: the median, with the agency that reported it', async (t) => {
  await setPolicy('PPKS-19', []);
  await publish(dinsos.auth, [{ indicator: 'PPKS-19', region: '65.71', period: '2025', value: 100 }]);
  await publish(capil.auth, [{ indicator: 'PPKS-19', region: '65.71', period: '2025', value: 102 }]);
  await publish(dp3.auth, [{ indicator: 'PPKS-19', region: '65.71', period: '2025', value: 104 }]);
  const f = await figure('PPKS-19');
  t.match(f, { status: 'final', method: 'agreement', value: '102', source: { agency: 'DISDUKCAPIL-6571' }, conflict_id: null, rationale: /median/ });
  t.not(f.value, '104', 'not the value published last');
  t.same(await open('PPKS-19'), [], 'agreement opens no conflict');
});

t.test('a listed agency among them: its value, whenever it published', async (t) => {
  await setPolicy('PPKS-06', ['DINSOS']);
  await publish(dinsos.auth, [{ indicator: 'PPKS-06', region: '65.71', period: '2025', value: 48 }]);
  await publish(dp3.auth, [{ indicator: 'PPKS-06', region: '65.71', period: '2025', value: 50 }]);
  const f = await figure('PPKS-06');
  t.match(f, { status: 'final', method: 'agreement', value: '48', source: { agency: 'DINSOS-6571' }, rationale: /DINSOS-6571/ });
  const change = (await app.inject({ url: '/v1/figures/changes?indicator=PPKS-06', headers: consumer.auth })).json().data;
  t.same(
    change.map((c: { kind: string; figure: { value: string; method: string } }) => [c.kind, c.figure.value, c.figure.method]),
    [
      ['new', '48', 'single-source'],
      ['revised', '48', 'agreement'],
    ],
    'the later agreeing report changes the provenance, not the value',
  );
});
