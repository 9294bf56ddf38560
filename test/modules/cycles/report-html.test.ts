import t from 'tap';
import { indonesianDate, indonesianDateTime, localDate } from '../../../src/modules/cycles/indonesian-dates.js';
import { checkLogo, LOGO_MAX_BYTES } from '../../../src/modules/cycles/letterhead.js';
import { lateSummary, renderComplianceHtml, type HtmlInput, type PrintInput } from '../../../src/modules/cycles/report-html.js';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
const dataUrl = (type: string, bytes: Buffer) => `data:${type};base64,${bytes.toString('base64')}`;

t.test('dates and times the Indonesian way, in the cycle zone', async (t) => {
  const instant = new Date('2026-12-07T07:05:00Z');
  t.equal(indonesianDateTime(instant, 'Asia/Jakarta'), '7 Desember 2026, 14.05 WIB');
  t.equal(indonesianDateTime(instant, 'Asia/Makassar'), '7 Desember 2026, 15.05 WITA');
  t.equal(indonesianDateTime(instant, 'Asia/Jayapura'), '7 Desember 2026, 16.05 WIT');
  const lateUtc = new Date('2026-12-31T16:30:00Z');
  t.equal(indonesianDateTime(lateUtc, 'Asia/Jayapura'), '1 Januari 2027, 01.30 WIT', 'a UTC evening is the next day (and year) in Papua');
  t.equal(localDate(lateUtc, 'Asia/Jayapura'), '2027-01-01');
  t.equal(localDate(lateUtc, 'Asia/Jakarta'), '2026-12-31', '23.30 WIB is still the 31st');
  t.equal(indonesianDate('2026-01-05'), '5 Januari 2026', 'no leading zero');
});

t.test('a logo is a bounded PNG or JPEG data URL whose bytes match its type', async (t) => {
  t.match(checkLogo(dataUrl('image/png', PNG)), { ok: true, type: 'image/png', bytes: PNG.length });
  t.match(checkLogo(dataUrl('image/jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]))), { ok: true, type: 'image/jpeg' });
  t.match(checkLogo('https://example.org/logo.png'), { ok: false, reason: 'not-a-data-url' }, 'no external reference');
  t.match(checkLogo('data:image/png,rawbytes'), { ok: false, reason: 'not-a-data-url' }, 'base64 only');
  t.match(checkLogo(dataUrl('image/svg+xml', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'))), { ok: false, reason: 'type' }, 'no SVG');
  t.match(checkLogo(dataUrl('text/html', Buffer.from('<p>hi</p>'))), { ok: false, reason: 'type' });
  t.match(checkLogo(dataUrl('image/png', Buffer.from('<script>alert(1)</script>'))), { ok: false, reason: 'content-mismatch' }, 'a page under image/png');
  t.match(checkLogo(dataUrl('image/png', Buffer.concat([PNG, Buffer.alloc(LOGO_MAX_BYTES)]))), { ok: false, reason: 'too-large', bytes: PNG.length + LOGO_MAX_BYTES });
});

const agency = (code: string, over: Partial<HtmlInput['agencies'][number]>): HtmlInput['agencies'][number] => ({
  agency: code,
  agency_name: `Agency ${code}`,
  light: 'green',
  expected: 2,
  delivered: 2,
  on_time: 2,
  late: 0,
  missing: 0,
  completeness_pct: 100,
  timeliness_pct: 100,
  max_days_late: 0,
  ...over,
});

const report: HtmlInput = {
  cycle: { name: 'IKESOS Kota Jayapura 2025', region: '91.71', time_zone: 'Asia/Jayapura', reference_periods: ['2025'] },
  deadline_used: { which: 'current', date: '2026-01-31', ends_at: '2026-01-31T15:00:00.000Z', original: '2026-01-31', current: '2026-01-31', on_time_until: '2026-01-31T15:00:00.000Z' },
  generated_at: '2026-12-07T07:05:00.000Z',
  kpis: { agencies: 3, indicators_complete_pct: { value: 66.7, target: 100 } },
  agencies: [
    agency('A-1', {}),
    agency('B-2', { light: 'amber', on_time: 0, late: 2, timeliness_pct: 0, max_days_late: 305 }),
    agency('C-3', { light: 'red', expected: 0, delivered: 0, on_time: 0, completeness_pct: null, timeliness_pct: null }),
  ],
  missing: [],
};
const blank: PrintInput = { letterhead: null, signature: { place: null, date: '2026-12-07', name: null, position: null, nip: null } };

t.test('late agencies in a plain sentence', async (t) => {
  t.equal(lateSummary(report.agencies), '3 instansi wajib menyerahkan data; 1 instansi lengkap dan tepat waktu; 1 instansi terlambat, paling lama 305 hari setelah tenggat; 1 instansi belum lengkap.');
  t.match(lateSummary([agency('A-1', {})]), /tidak ada instansi yang terlambat/);
});

t.test('the page: zone times, a scaled chart with a visible 0 %, late days, signature blanks', async (t) => {
  const html = renderComplianceHtml(report, blank);
  t.match(html, /Tenggat 31 Januari 2026 pukul 24\.00 WIT\./);
  t.match(html, /Dibuat <time class="generated" datetime="2026-12-07T07:05:00.000Z">7 Desember 2026, 16\.05 WIT<\/time>/, 'made at, in the cycle zone');
  t.notMatch(html, /≤/, 'no "≤ n hari"');
  t.match(html, /<td class="num">2<\/td><td class="num">305 hari<\/td>/, 'late cells and the longest delay, each in its column');
  for (const tick of [0, 25, 50, 75, 100]) t.match(html, new RegExp(`<text class="tick-label"[^>]*>${tick} %</text>`), `tick ${tick} %`);
  t.match(html, /<rect class="bar timeliness zero" data-value="0" x="150" y="\d+" width="2"/, 'a 0 % bar is a marker on the axis');
  t.match(html, /<text class="value"[^>]*>0 %<\/text>/, 'and says 0 %');
  t.match(html, /<text class="value"[^>]*>–<\/text>/, 'an agency with nothing owed has no bar, a dash');
  t.notMatch(html, /class="kop"/, 'no heading without a letterhead');
  t.match(html, /<p class="place-date">…+, 7 Desember 2026<\/p>/, 'a blank place to fill in by hand');
  t.match(html, /<p class="signatory-name">\(…+\)<\/p>/);
  t.match(html, /@page\{size:A4/, 'A4 print CSS');
  t.notMatch(html, /<script|(src|href)="https?:/, 'no script, no external asset');
});

t.test('every text of the letterhead is escaped', async (t) => {
  const html = renderComplianceHtml(report, {
    letterhead: { office_name: 'PEMKOT\n<script>alert(1)</script>', office_address: '"><img src=x onerror=alert(1)>', office_contact: null, logo: dataUrl('image/png', PNG) },
    signature: { place: '<b>Jayapura</b>', date: '2026-12-08', name: "O'Neil & <i>co</i>", position: 'Kepala\n<u>Dinas</u>', nip: '1970' },
  });
  t.match(html, /<div class="office-name">PEMKOT<br>&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/div>/, 'a line break kept, the markup escaped');
  t.match(html, /<div class="office-address">&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;<\/div>/);
  t.match(html, /<img class="logo" src="data:image\/png;base64,[A-Za-z0-9+/=]+" alt="Logo">/);
  t.match(html, /&lt;b&gt;Jayapura&lt;\/b&gt;, 8 Desember 2026/);
  t.match(html, /O&#39;Neil &amp; &lt;i&gt;co&lt;\/i&gt;/);
  t.match(html, /Kepala<br>&lt;u&gt;Dinas&lt;\/u&gt;,/);
  t.notMatch(html, /<script>|<img src=x|<b>Jayapura|<i>co|<u>Dinas/, 'nothing injected');
  t.match(html, /<p class="nip">NIP\. 1970<\/p>/);
});
