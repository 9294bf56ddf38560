import t from 'tap';
import { createAgency, createTestApp } from '../../helpers/test-app.js';
import { publishing } from '../reconciliation/publishing.js';

// Issue 17: score lists are kept until a figure of one of the methodology's indicators
// changes; a publication of any other indicator leaves them kept. Cache-Status (RFC 9211)
// says whether a list came from memory.
const ctx = await createTestApp(t);
const { app } = ctx;
await createAgency(ctx, 'DINSOS-6571', '65.71');
const producer = await ctx.login('producer', 'DINSOS-6571');
const consumer = await ctx.login('consumer');
const admin = await ctx.login('admin');
const { publish, revise } = await publishing(ctx);

const CODES = Array.from({ length: 15 }, (_, i) => `IKS-${String(i + 1).padStart(2, '0')}`);
const observations = (values: Record<string, number> = {}) => CODES.map((indicator) => ({ indicator, region: '65.71', period: '2025', value: values[indicator] ?? 50 }));
const ikesos = await publish(producer.auth, observations(), 'terbuka');
const other = await publish(producer.auth, [{ indicator: 'PPKS-06', region: '65.71', period: '2025', value: 141 }], 'terbuka');

const URL = '/v1/ikesos/scores?period=2025&within=65&regionLevel=kabkota';
async function scores() {
  const res = await app.inject({ url: URL, headers: consumer.auth });
  t.equal(res.statusCode, 200, res.body);
  const tarakan = (res.json().data as { region: string; score: number | null; official: { score: number } | null }[]).find((r) => r.region === '65.71')!;
  return { status: res.headers['cache-status'], body: res.body, tarakan };
}

t.test('a list is computed once, then served from memory', async (t) => {
  const first = await scores();
  t.equal(first.status, 'satudata; fwd=miss');
  t.type(first.tarakan.score, 'number');
  const second = await scores();
  t.equal(second.status, 'satudata; hit');
  t.equal(second.body, first.body);
});

t.test('a publication of an indicator the methodology does not use leaves the scores kept', async (t) => {
  const before = await scores();
  await revise(producer.auth, other, [{ indicator: 'PPKS-06', region: '65.71', period: '2025', value: 150 }]);
  const after = await scores();
  t.equal(after.status, 'satudata; hit');
  t.equal(after.body, before.body);
});

t.test('a publication of one of its indicators changes the score at once', async (t) => {
  const before = await scores();
  await revise(producer.auth, ikesos, observations({ 'IKS-01': 90 }));
  const after = await scores();
  t.equal(after.status, 'satudata; fwd=miss', 'computed again');
  t.ok(after.tarakan.score! > before.tarakan.score!, `a better IKS-01 raises the score (${before.tarakan.score} → ${after.tarakan.score})`);
  t.equal((await scores()).status, 'satudata; hit', 'and kept again');
});

t.test('official scores loaded beside are shown at once', async (t) => {
  await scores();
  const loaded = await app.inject({ method: 'POST', url: '/v1/ikesos/official-scores', headers: admin.auth, payload: { source: 'Kemensos 2026', scores: [{ region: '65.71', period: '2025', score: 61.5 }] } });
  t.equal(loaded.statusCode, 200, loaded.body);
  const after = await scores();
  t.equal(after.status, 'satudata; fwd=miss');
  t.match(after.tarakan.official, { score: 61.5 });
});

t.test('an unknown methodology is a 404, not a kept answer', async (t) => {
  for (let i = 0; i < 2; i++) {
    const res = await app.inject({ url: `${URL}&methodology=999999`, headers: consumer.auth });
    t.match(res.json(), { status: 404, code: 'METHODOLOGY_NOT_FOUND' });
  }
});
