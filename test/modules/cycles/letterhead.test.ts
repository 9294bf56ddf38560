import t from 'tap';
import { createAgency, createTestApp } from '../../helpers/test-app.js';

// The heading and signature block of a region's compliance reports: who may set them, what
// a logo may be, and how they reach the printed page (escaped, overridable for one print).
const ctx = await createTestApp(t);
const { app } = ctx;
await createAgency(ctx, 'DISKOMINFO-6571', '65.71', 'DISKOMINFO');
await createAgency(ctx, 'DINSOS-6571', '65.71', 'DINSOS');
const city = await ctx.login('walidata', 'DISKOMINFO-6571');
const national = await ctx.login('walidata');
const admin = await ctx.login('admin');
const consumer = await ctx.login('consumer');
const producer = await ctx.login('producer', 'DINSOS-6571');

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
const LOGO = `data:image/png;base64,${PNG.toString('base64')}`;
const body = {
  office_name: 'PEMERINTAH KOTA TARAKAN\nDINAS SOSIAL <script>alert("kop")</script>',
  office_address: 'Jl. Jenderal Sudirman No. 76, Tarakan 77111',
  office_contact: 'Telepon (0551) 21000',
  logo: LOGO,
  signatory_name: 'Dra. Siti Rahmah, M.Si.',
  signatory_position: 'Kepala Dinas Sosial',
  signatory_nip: '19700101 199503 2 001',
  place: 'Tarakan',
};
const url = (region: string) => `/v1/regions/${region}/report-letterhead`;
const put = (region: string, payload: unknown, headers: Record<string, string> = city.auth) => app.inject({ method: 'PUT', url: url(region), headers, payload: payload as object });

const cycle = await app.inject({
  method: 'POST',
  url: '/v1/cycles',
  headers: city.auth,
  payload: { name: 'IKESOS Kota Tarakan 2025', region: '65.71', reference_periods: ['2025'], opens_on: '2026-01-05', deadline: '2026-01-31', status: 'open' },
});
const cycleId = cycle.json().id as string;
const page = (query = '', headers: Record<string, string> = city.auth) => app.inject({ url: `/v1/cycles/${cycleId}/compliance.html${query}`, headers });

t.test('without a letterhead: 404 on reading it, and the report prints an empty signature block', async (t) => {
  t.equal(cycle.statusCode, 201, cycle.body);
  const none = await app.inject({ url: url('65.71'), headers: city.auth });
  t.equal(none.statusCode, 404);
  t.equal(none.json().code, 'LETTERHEAD_NOT_FOUND');
  t.equal((await app.inject({ url: url('65.99'), headers: city.auth })).json().code, 'REGION_NOT_FOUND', 'an unknown region');
  const res = await page();
  t.equal(res.statusCode, 200);
  t.notMatch(res.body, /class="kop"/);
  t.match(res.body, /<section class="signature"[^>]*>\s*<p class="place-date">…+, \d+ [A-Z][a-z]+ \d{4}<\/p>/);
});

t.test('setting it: who may, and what the body may hold', async (t) => {
  const created = await put('65.71', body);
  t.equal(created.statusCode, 201, created.body);
  t.match(created.json(), { region: '65.71', office_name: body.office_name, logo: LOGO, signatory_nip: body.signatory_nip, updated_by: city.clientId });
  const replaced = await put('65.71', { ...body, office_contact: null });
  t.equal(replaced.statusCode, 200, 'replaced');
  t.equal(replaced.json().office_contact, null);
  t.same((await app.inject({ url: url('65.71'), headers: consumer.auth })).json(), replaced.json(), 'a consumer reads what the report prints');

  const unauthenticated = await app.inject({ method: 'PUT', url: url('65.71'), payload: body });
  t.equal(unauthenticated.statusCode, 401);
  t.equal((await app.inject({ url: url('65.71') })).statusCode, 401);
  for (const [who, headers] of [['producer', producer.auth], ['consumer', consumer.auth]] as const) {
    const res = await put('65.71', body, headers);
    t.equal(res.statusCode, 403, who);
    t.equal(res.json().code, 'FORBIDDEN', who);
  }
  t.equal((await app.inject({ url: url('65.71'), headers: producer.auth })).statusCode, 403, 'a producer does not read it');
  const outside = await put('33.73', body);
  t.equal(outside.statusCode, 403);
  t.equal(outside.json().code, 'OUTSIDE_JURISDICTION', "another region's office is not the city walidata's to set");
  t.equal((await put('33.73', body, national.auth)).statusCode, 201, 'a national walidata may');
  t.equal((await app.inject({ method: 'DELETE', url: url('33.73'), headers: city.auth })).json().code, 'OUTSIDE_JURISDICTION');
  t.equal((await app.inject({ method: 'DELETE', url: url('33.73'), headers: admin.auth })).statusCode, 204, 'an admin removes it');

  for (const [region, headers] of [['65.71.99', city.auth], ['65.99', national.auth]] as const) {
    const unknown = await put(region, body, headers);
    t.equal(unknown.statusCode, 404, `${region} is no region`);
    t.equal(unknown.json().code, 'REGION_NOT_FOUND');
  }
  for (const [what, payload] of [
    ['no office name', { ...body, office_name: undefined }],
    ['an empty office name', { ...body, office_name: '' }],
    ['an unknown field', { ...body, colour: 'red' }],
    ['a NIP with letters', { ...body, signatory_nip: '1970abc' }],
    ['an office name too long', { ...body, office_name: 'x'.repeat(301) }],
  ] as const) {
    const res = await put('65.71', payload);
    t.equal(res.statusCode, 400, what);
    t.equal(res.json().code, 'VALIDATION_FAILED', what);
  }
  t.equal((await app.inject({ method: 'PUT', url: url('65.7x'), headers: city.auth, payload: body })).statusCode, 400, 'a malformed region code');
  const text = await app.inject({ method: 'PUT', url: url('65.71'), headers: { ...city.auth, 'content-type': 'text/plain' }, payload: 'PEMKOT' });
  t.equal(text.statusCode, 415);
});

t.test('the logo: a bounded PNG or JPEG data URL', async (t) => {
  const tooLarge = await put('65.71', { ...body, logo: `data:image/png;base64,${Buffer.concat([PNG, Buffer.alloc(120 * 1024)]).toString('base64')}` });
  t.equal(tooLarge.statusCode, 413);
  t.match(tooLarge.json(), { code: 'LOGO_TOO_LARGE', detail: /limit is 102400 bytes|batasnya 102400 byte/ });
  const huge = await put('65.71', { ...body, logo: `data:image/png;base64,${'A'.repeat(1_100_000)}` });
  t.equal(huge.statusCode, 413, 'past the body limit');
  const svg = await put('65.71', { ...body, logo: `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>').toString('base64')}` });
  t.equal(svg.statusCode, 422);
  t.match(svg.json(), { code: 'LOGO_INVALID', errors: [{ location: 'body', pointer: '/logo', code: 'type' }] }, 'no SVG');
  const disguised = await put('65.71', { ...body, logo: `data:image/png;base64,${Buffer.from('<html><script>alert(1)</script></html>').toString('base64')}` });
  t.match(disguised.json(), { code: 'LOGO_INVALID', errors: [{ code: 'content-mismatch' }] }, 'a page declared as a PNG');
  const remote = await put('65.71', { ...body, logo: 'https://example.org/logo.png' });
  t.match(remote.json(), { code: 'LOGO_INVALID', errors: [{ code: 'not-a-data-url' }] }, 'no external reference');
  t.equal((await app.inject({ url: url('65.71'), headers: city.auth })).json().logo, LOGO, 'the refused ones changed nothing');
});

t.test('every change is audited, the logo by its digest', async (t) => {
  const audit = (await app.inject({ url: '/v1/audit-log?entity_type=region&entity_id=65.71', headers: national.auth })).json().data as { action: string; actor_id: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null }[];
  const changes = audit.filter((a) => a.action === 'report-letterhead.updated');
  t.equal(changes.length, 2, 'created and replaced; refusals leave no trace');
  t.match(changes.find((a) => a.before === null)?.after, { office_name: body.office_name, logo: { type: 'image/png', bytes: PNG.length, sha256: /^[0-9a-f]{64}$/ } });
  t.notMatch(JSON.stringify(audit), /base64/, 'the data URL itself is not copied into the log');
  t.ok(changes.every((a) => a.actor_id === city.clientId));
});

t.test('the printed report carries it, escaped, with this print overrides', async (t) => {
  const res = await page();
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-security-policy'], "default-src 'none'; style-src 'unsafe-inline'; img-src data:", 'the logo is allowed as a data: URL and nothing else');
  t.match(res.body, /<header class="kop"><img class="logo" src="data:image\/png;base64,/);
  t.match(res.body, /<div class="office-name">PEMERINTAH KOTA TARAKAN<br>DINAS SOSIAL &lt;script&gt;alert\(&quot;kop&quot;\)&lt;\/script&gt;<\/div>/, 'the injection attempt is text');
  t.notMatch(res.body, /<script/);
  t.match(res.body, /<p class="place-date">Tarakan, \d+ [A-Z][a-z]+ \d{4}<\/p>\s*<p class="position">Kepala Dinas Sosial,<\/p>/);
  t.match(res.body, /<p class="signatory-name">Dra\. Siti Rahmah, M\.Si\.<\/p>\s*<p class="nip">NIP\. 19700101 199503 2 001<\/p>/);

  const deputy = await page(`?signatory_name=${encodeURIComponent('Budi <Santoso>')}&signatory_position=${encodeURIComponent('a.n. Kepala Dinas Sosial\nSekretaris')}&signed_on=2027-01-04&place=Tanjung%20Selor&signatory_nip=19800202%20200501%201%20002`);
  t.equal(deputy.statusCode, 200, deputy.body);
  t.match(deputy.body, /<p class="place-date">Tanjung Selor, 4 Januari 2027<\/p>\s*<p class="position">a\.n\. Kepala Dinas Sosial<br>Sekretaris,<\/p>/, 'another signatory for one print');
  t.match(deputy.body, /<p class="signatory-name">Budi &lt;Santoso&gt;<\/p>\s*<p class="nip">NIP\. 19800202 200501 1 002<\/p>/);
  t.equal((await app.inject({ url: url('65.71'), headers: city.auth })).json().signatory_name, body.signatory_name, 'the stored one is unchanged');

  for (const [what, query] of [
    ['a date that is not one', '?signed_on=7-12-2026'],
    ['an unknown parameter', '?colour=red'],
    ['a place too long', `?place=${'x'.repeat(101)}`],
  ] as const) t.equal((await page(query)).statusCode, 400, what);
  t.equal((await page('', producer.auth)).statusCode, 403, 'a producer does not get the whole report');
  const unknown = await app.inject({ url: '/v1/cycles/00000000-0000-4000-8000-000000000000/compliance.html', headers: city.auth });
  t.equal(unknown.statusCode, 404);
  t.equal(unknown.json().code, 'CYCLE_NOT_FOUND');
});

t.test('removing it: the report prints without a heading again', async (t) => {
  t.equal((await app.inject({ method: 'DELETE', url: url('65.71'), headers: producer.auth })).statusCode, 403);
  t.equal((await app.inject({ method: 'DELETE', url: url('65.71'), headers: city.auth })).statusCode, 204);
  const again = await app.inject({ method: 'DELETE', url: url('65.71'), headers: city.auth });
  t.equal(again.statusCode, 404);
  t.equal(again.json().code, 'LETTERHEAD_NOT_FOUND');
  t.notMatch((await page()).body, /class="kop"/);
  const audit = (await app.inject({ url: '/v1/audit-log?entity_type=region&entity_id=65.71', headers: national.auth })).json().data as { action: string; after: unknown }[];
  t.match(audit.find((a) => a.action === 'report-letterhead.removed'), { after: null });
});
