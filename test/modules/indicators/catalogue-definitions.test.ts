import t from 'tap';
import { sql } from 'kysely';
import { up as fillDefinitions } from '../../../migrations/0017_indicator_definitions.js';
import { readReferenceCsv, readReferenceJson } from '../../../migrations/reference-files.js';
import { checkIndicatorMetadata } from '../../../src/modules/validation/metadata-rules.js';
import { createAgency, createTestApp } from '../../helpers/test-app.js';
import { publishing } from '../reconciliation/publishing.js';

// The shipped catalogue meets the MS-Ind rules the service holds agencies to; existing
// installations get the definitions by migration 0017, which never overwrites a walidata's
// edit; and figures served carry their indicator's definition and formula.
const ctx = await createTestApp(t);
const { app } = ctx;
const db = ctx.database.db;
const walidata = await ctx.login('walidata');

type Indicator = { code: string; name: string; measure: string; unit: string; metadata: Record<string, unknown>; metadata_completeness: { score: number; missing: string[] } };
const catalogue = async (): Promise<Indicator[]> => {
  const res = await app.inject({ url: '/v1/indicators?limit=100', headers: walidata.auth });
  if (res.statusCode !== 200) throw new Error(res.body);
  return res.json().data;
};
const shippedCodes = readReferenceCsv('indicators.csv').map((r) => r.code);
const definitions = readReferenceJson<{
  indicators: Record<string, Record<string, unknown> & { rujukan: { judul: string; bagian: string | null; tahun: number | null; url: string | null }[] }>;
}>('indicator-definitions.json').indicators;

t.test('every shipped indicator passes the MS-Ind metadata rules at 100 % completeness', async (t) => {
  t.same(Object.keys(definitions).sort(), [...shippedCodes].sort(), 'one definition for each of the 41 shipped indicators, and no other');
  const all = await catalogue();
  t.equal(all.length, 41);
  for (const i of all) {
    const result = checkIndicatorMetadata(i);
    t.same(result.findings, [], `${i.code}: no finding`);
    t.equal(result.completeness.score, 100, `${i.code}: complete`);
    t.same(i.metadata_completeness, result.completeness, `${i.code}: the API says the same`);
    for (const field of ['konsep', 'definisi', 'interpretasi', 'metode_perhitungan', 'sumber_data']) {
      t.ok(typeof i.metadata[field] === 'string' && (i.metadata[field] as string).length >= 40, `${i.code}: ${field} is written out`);
    }
    const refs = i.metadata.rujukan as { judul: string; tahun: number | null; url: string | null }[];
    t.ok(refs.length > 0 && refs.every((r) => r.judul.length > 10 && r.tahun !== null && r.url?.startsWith('https://')), `${i.code}: each reference has a title, year and address`);
  }
  const rates = all.filter((i) => i.measure !== 'jumlah');
  t.ok(rates.every((i) => /[=×÷]/.test(i.metadata.metode_perhitungan as string)), 'every rate and ratio states its formula');
  t.match(all.find((i) => i.code === 'IKS-07')!.metadata, { metode_perhitungan: /× 100\.000/ }, 'the formula matches the unit (per 100.000 kelahiran hidup)');
  t.match(all.find((i) => i.code === 'PPKS-26')!.metadata, { metode_perhitungan: /keluarga/ }, 'a count of families counts families');
});

t.test('the MS-Ind rules report what is missing or only a placeholder', async (t) => {
  const bare = checkIndicatorMetadata({ name: 'Anak Korban Perundungan', measure: 'jumlah', unit: 'orang', metadata: { konsep: '-', definisi: 'Anak usia 0-17 tahun korban perundungan.', rujukan: [{ judul: 'n/a' }] } });
  t.same(
    bare.findings.map((f) => [f.code, f.column]),
    [
      ['MD_PLACEHOLDER', 'konsep'],
      ['MD_REQUIRED_MISSING', 'interpretasi'],
      ['MD_REQUIRED_MISSING', 'metode_perhitungan'],
      ['MD_REQUIRED_MISSING', 'sumber_data'],
      ['MD_VALUE_INVALID', 'rujukan'],
    ],
  );
  t.match(bare.completeness, { required: { present: 4, total: 9 }, recommended: { present: 0, total: 2 } });
  t.ok(bare.completeness.score < 50);
});

t.test('migration 0017 fills only empty fields, keeps a walidata\'s edit, audits each entry, and runs twice harmlessly', async (t) => {
  // An installation from before 0017: empty MS-Ind fields, and a walidata who already wrote one definition.
  await sql`update indicators set metadata = (metadata - 'sumber_data' - 'rujukan') || '{"konsep": null, "definisi": null, "interpretasi": "", "metode_perhitungan": null, "klasifikasi_penyajian": [], "level_estimasi": null}'::jsonb`.execute(db);
  const edited = 'Definisi daerah: orang yang mengalami kekerasan fisik, psikis, seksual, atau penelantaran dan dilayani UPTD PPA atau Dinas Sosial kota.';
  const patched = await app.inject({ method: 'PATCH', url: '/v1/indicators/PPKS-19', headers: walidata.auth, payload: { metadata: { definisi: edited, level_estimasi: 'Kecamatan' } } });
  t.equal(patched.statusCode, 200, patched.body);
  t.equal((await catalogue()).find((i) => i.code === 'PPKS-01')!.metadata_completeness.score < 100, true, 'before: incomplete');
  const auditBefore = await sql<{ n: string }>`select count(*)::text as n from audit_log where action = 'indicator.metadata-filled'`.execute(db);

  await fillDefinitions(db as never);
  const after = await catalogue();
  const ppks19 = after.find((i) => i.code === 'PPKS-19')!;
  t.equal(ppks19.metadata.definisi, edited, 'the walidata\'s definition stays');
  t.equal(ppks19.metadata.level_estimasi, 'Kecamatan', 'and so does the estimation level they set');
  t.equal(ppks19.metadata.konsep, definitions['PPKS-19']!.konsep, 'empty fields are filled');
  t.same(ppks19.metadata.rujukan, definitions['PPKS-19']!.rujukan, 'fields the entry did not have yet are added');
  t.ok(after.every((i) => i.metadata_completeness.score === 100), 'every entry complete again');
  t.ok(after.filter((i) => i.code !== 'PPKS-19').every((i) => i.metadata.definisi === definitions[i.code]!.definisi));

  const audit = await sql<{ entity_id: string; actor_id: string; actor_role: string; before: { metadata: Record<string, unknown> }; after: { filled: string[] } }>`
    select entity_id, actor_id, actor_role, before, after from audit_log where action = 'indicator.metadata-filled' order by id`.execute(db);
  const fresh = audit.rows.slice(Number(auditBefore.rows[0]!.n));
  t.equal(fresh.length, 41, 'one audit entry per entry changed');
  const entry = fresh.find((r) => r.entity_id === 'PPKS-19')!;
  t.match(entry, { actor_id: 'migration:0017_indicator_definitions', actor_role: 'system', before: { metadata: { definisi: edited } } });
  t.same(entry.after.filled.sort(), ['interpretasi', 'klasifikasi_penyajian', 'konsep', 'metode_perhitungan', 'rujukan', 'sumber_data'], 'the audit names the fields filled, not the edited ones');
  const history = (await app.inject({ url: '/v1/audit-log?entity_type=indicator&entity_id=PPKS-19', headers: walidata.auth })).json().data;
  t.ok(history.some((h: { action: string }) => h.action === 'indicator.metadata-filled'), 'visible in the audit log API');

  await fillDefinitions(db as never);
  const again = await sql<{ n: string }>`select count(*)::text as n from audit_log where action = 'indicator.metadata-filled'`.execute(db);
  t.equal(Number(again.rows[0]!.n), Number(auditBefore.rows[0]!.n) + 41, 'a second run finds nothing empty and records nothing');
});

t.test('figures served carry the indicator\'s definition and formula', async (t) => {
  await createAgency(ctx, 'DINSOS-6571', '65.71');
  const dinsos = await ctx.login('producer', 'DINSOS-6571');
  const { publish } = await publishing(ctx);
  await publish(dinsos.auth, [{ indicator: 'PPKS-06', region: '65.71', period: '2025', value: 12 }]);
  const consumer = await ctx.login('consumer');
  const figure = (await app.inject({ url: '/v1/figures?indicator=PPKS-06&region=65.71&period=2025', headers: consumer.auth })).json().data[0];
  t.match(figure, { value: '12', definition: definitions['PPKS-06']!.definisi, formula: definitions['PPKS-06']!.metode_perhitungan });
  t.ok(figure.definition.length > 0 && figure.formula.length > 0);
});
