import { ZONE_LABELS, type TimeZone } from './deadline.js';
import { indonesianDate, indonesianDateTime } from './indonesian-dates.js';

/**
 * The printable compliance report, in Indonesian, as an official document: the issuing
 * office's heading, the numbers, and a signature block. No external assets (the logo is a
 * data: URL), no script, and print CSS for A4 so a browser's "print to PDF" is the document.
 */
export interface HtmlInput {
  cycle: { name: string; region: string; time_zone: TimeZone; reference_periods: string[] };
  deadline_used: { which: string; date: string; ends_at: string; original: string; current: string; on_time_until: string };
  generated_at: string;
  kpis: Record<string, { value: number | null; target: number } | number>;
  agencies: { agency: string; agency_name: string; light: 'green' | 'amber' | 'red'; expected: number; delivered: number; on_time: number; late: number; missing: number; completeness_pct: number | null; timeliness_pct: number | null; max_days_late: number }[];
  missing: { indicator: string; agency: string; cells: number }[];
}

export interface PrintInput {
  letterhead: { office_name: string; office_address: string | null; office_contact: string | null; logo: string | null } | null;
  signature: { place: string | null; date: string; name: string | null; position: string | null; nip: string | null };
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const lines = (s: string) => s.split(/\r?\n/).map(escape).join('<br>');
const pct = (v: number | null) => (v === null ? '–' : `${v.toLocaleString('id-ID', { maximumFractionDigits: 1 })} %`);
// The status is written out, not only coloured: it must survive a black-and-white print and
// be readable by people who cannot tell red from green.
const LIGHT = { green: ['#1a7f37', 'Tepat waktu'], amber: ['#b7791f', 'Terlambat'], red: ['#c53030', 'Belum lengkap'] } as const;
/** What a blank in the signature block prints as, to be filled in by hand. */
const BLANK = '……………………………';

const KPI_LABELS: Record<string, string> = {
  agencies_fully_on_time_pct: 'Instansi yang menyerahkan lengkap tepat waktu',
  indicators_complete_pct: 'Indikator yang lengkap',
  indicators_complete_on_time_pct: 'Indikator yang lengkap dan tepat waktu',
  inconsistency_after_reconciliation_pct: 'Inkonsistensi antarinstansi setelah rekonsiliasi',
  days_deadline_to_final: 'Hari dari tenggat hingga semua angka final',
};

function kpiRow(key: string, kpi: { value: number | null; target: number }): string {
  const days = key === 'days_deadline_to_final';
  const met = kpi.value !== null && (days || key.startsWith('inconsistency') ? kpi.value <= kpi.target : kpi.value >= kpi.target);
  const value = days ? (kpi.value === null ? 'belum final' : `${kpi.value} hari`) : pct(kpi.value);
  const target = days ? `≤ ${kpi.target} hari` : `${kpi.target} %`;
  return `<tr><td>${KPI_LABELS[key] ?? escape(key)}</td><td class="num">${value}</td><td class="num">${target}</td><td class="${met ? 'ok' : 'bad'}">${met ? 'tercapai' : 'belum tercapai'}</td></tr>`;
}

/** Late agencies in one plain sentence: how many, and the longest delay. */
export function lateSummary(agencies: HtmlInput['agencies']): string {
  const late = agencies.filter((a) => a.late > 0);
  const onTime = agencies.filter((a) => a.light === 'green').length;
  const incomplete = agencies.filter((a) => a.light === 'red').length;
  const longest = Math.max(0, ...late.map((a) => a.max_days_late));
  return [
    `${agencies.length} instansi wajib menyerahkan data`,
    `${onTime} instansi lengkap dan tepat waktu`,
    late.length === 0 ? 'tidak ada instansi yang terlambat' : `${late.length} instansi terlambat, paling lama ${longest} hari setelah tenggat`,
    `${incomplete} instansi belum lengkap`,
  ].join('; ') + '.';
}

const TICKS = [0, 25, 50, 75, 100];
const COLOURS = { completeness: '#2b6cb0', timeliness: '#38a169' };

/**
 * Two bars per agency on a 0–100 % scale with its ticks and grid. A 0 % bar is still drawn
 * as a marker on the axis and every bar carries its value, so "nothing" is visibly nothing
 * and not a row someone forgot to draw.
 */
function chart(agencies: HtmlInput['agencies']): string {
  const row = 28;
  const label = 150;
  const plot = 400;
  const top = 24;
  const scale = plot / 100;
  const height = top + agencies.length * row + 26;
  const axisY = top + agencies.length * row + 4;
  const bar = (kind: keyof typeof COLOURS, v: number | null, y: number, title: string) => {
    if (v === null) return `<text class="value" x="${label + 4}" y="${y + 8}" font-size="9">–</text>`;
    const w = Math.max(v * scale, 2);
    return `<rect class="bar ${kind}${v === 0 ? ' zero' : ''}" data-value="${v}" x="${label}" y="${y}" width="${w}" height="10" fill="${COLOURS[kind]}"${v === 0 ? ' stroke="#1a202c" stroke-width="1"' : ''}><title>${title} ${pct(v)}</title></rect>
<text class="value" x="${label + w + 4}" y="${y + 8.5}" font-size="9">${pct(v)}</text>`;
  };
  const rows = agencies.map((a, i) => {
    const y = top + i * row;
    return `<g class="agency"><text x="0" y="${y + 14}" font-size="10">${escape(a.agency)}</text>
${bar('completeness', a.completeness_pct, y, 'Kelengkapan')}
${bar('timeliness', a.timeliness_pct, y + 11, 'Ketepatan waktu')}</g>`;
  });
  const grid = TICKS.map((t) => {
    const x = label + t * scale;
    return `<line class="grid" x1="${x}" y1="${top - 4}" x2="${x}" y2="${axisY}" stroke="${t === 0 ? '#1a202c' : '#cbd5e0'}" stroke-width="${t === 0 ? 1.5 : 0.75}"${t === 0 ? '' : ' stroke-dasharray="3 3"'}/>
<line class="tick" x1="${x}" y1="${axisY}" x2="${x}" y2="${axisY + 4}" stroke="#1a202c"/><text class="tick-label" x="${x}" y="${axisY + 15}" font-size="9" text-anchor="middle">${t} %</text>`;
  });
  return `<figure class="chart"><svg role="img" aria-label="Kelengkapan dan ketepatan waktu per instansi" viewBox="0 0 ${label + plot + 50} ${height}" width="${label + plot + 50}" height="${height}" xmlns="http://www.w3.org/2000/svg">
<g class="legend"><rect x="${label}" y="2" width="10" height="10" fill="${COLOURS.completeness}"/><text x="${label + 14}" y="11" font-size="10">kelengkapan</text><rect x="${label + 100}" y="2" width="10" height="10" fill="${COLOURS.timeliness}"/><text x="${label + 114}" y="11" font-size="10">ketepatan waktu</text></g>
<g class="axis" aria-label="Skala 0–100 %">${grid.join('\n')}
<line class="baseline" x1="${label}" y1="${axisY}" x2="${label + plot}" y2="${axisY}" stroke="#1a202c"/></g>
${rows.join('\n')}</svg>
<figcaption>Skala 0–100 % dari sel yang wajib diserahkan. Batang 0 % ditandai garis tipis pada sumbu; “–” berarti instansi tidak memiliki kewajiban.</figcaption></figure>`;
}

function heading(l: NonNullable<PrintInput['letterhead']>): string {
  return `<header class="kop">${l.logo ? `<img class="logo" src="${escape(l.logo)}" alt="Logo">` : ''}<div class="office"><div class="office-name">${lines(l.office_name)}</div>${
    l.office_address ? `<div class="office-address">${escape(l.office_address)}</div>` : ''
  }${l.office_contact ? `<div class="office-contact">${escape(l.office_contact)}</div>` : ''}</div></header>`;
}

function signature(s: PrintInput['signature']): string {
  return `<section class="signature" aria-label="Tanda tangan">
<p class="place-date">${s.place ? escape(s.place) : BLANK}, ${indonesianDate(s.date)}</p>
<p class="position">${s.position ? `${lines(s.position)},` : BLANK}</p>
<div class="sign-space"></div>
<p class="signatory-name">${s.name ? escape(s.name) : `(${BLANK})`}</p>
${s.nip ? `<p class="nip">NIP. ${escape(s.nip)}</p>` : ''}
</section>`;
}

export function renderComplianceHtml(r: HtmlInput, print: PrintInput): string {
  const zone = r.cycle.time_zone;
  const ends = `${indonesianDate(r.deadline_used.date)} pukul 24.00 ${ZONE_LABELS[zone]}`;
  const deadlineNote =
    r.deadline_used.original === r.deadline_used.current
      ? `Tenggat ${ends}.`
      : `Dihitung dengan tenggat ${r.deadline_used.which === 'original' ? 'awal' : 'yang berlaku'} ${ends} (tenggat awal ${indonesianDate(r.deadline_used.original)}, diubah menjadi ${indonesianDate(r.deadline_used.current)}).`;
  const closedEarly =
    r.deadline_used.on_time_until < r.deadline_used.ends_at
      ? ` Siklus ditutup ${indonesianDateTime(new Date(r.deadline_used.on_time_until), zone)} sebelum tenggat berakhir; penyerahan sesudahnya dihitung terlambat.`
      : '';
  const kpis = Object.entries(r.kpis).filter((e): e is [string, { value: number | null; target: number }] => typeof e[1] === 'object');
  return `<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Laporan Kepatuhan — ${escape(r.cycle.name)}</title>
<style>
@page{size:A4 portrait;margin:15mm 15mm 18mm}
body{font:10pt/1.4 "Liberation Sans",Arial,system-ui,sans-serif;margin:24px auto;max-width:180mm;color:#1a202c}
h1{font-size:14pt;margin:0 0 4px;text-align:center}h2{font-size:11.5pt;margin:16px 0 6px}
.kop{display:flex;align-items:center;gap:12px;border-bottom:3px double #1a202c;padding-bottom:8px;margin-bottom:14px}
.kop .logo{width:22mm;height:22mm;object-fit:contain}.kop .office{flex:1;text-align:center}
.office-name{font-size:13pt;font-weight:700;line-height:1.25}.office-address,.office-contact{font-size:9pt}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #cbd5e0;padding:3px 5px;text-align:left;vertical-align:top}th{background:#edf2f7}
table.agencies{font-size:8.5pt}table.agencies th{font-size:8pt}
.num{text-align:right}.ok{color:#1a7f37;font-weight:600}.bad{color:#c53030;font-weight:600}.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:5px}
.muted{color:#4a5568}.summary{font-weight:600}
.chart{margin:0}.chart svg{max-width:100%;height:auto}.chart figcaption{font-size:8.5pt;color:#4a5568}
.signature{margin:28px 0 0 auto;width:80mm;break-inside:avoid;page-break-inside:avoid}.signature p{margin:0}
.sign-space{height:24mm}.signatory-name{font-weight:700;text-decoration:underline}
@media print{body{margin:0;max-width:none}h2{break-after:avoid;page-break-after:avoid}tr,.chart,.kop{break-inside:avoid;page-break-inside:avoid}thead{display:table-header-group}
th{background:none;border-bottom:1.5px solid #1a202c}}
</style></head><body>
${print.letterhead ? heading(print.letterhead) : ''}
<h1>Laporan Kepatuhan Penyerahan Data — ${escape(r.cycle.name)}</h1>
<p class="muted">Wilayah ${escape(r.cycle.region)} · periode ${r.cycle.reference_periods.map(escape).join(', ')} · ${escape(deadlineNote + closedEarly)} Dibuat <time class="generated" datetime="${escape(r.generated_at)}">${indonesianDateTime(new Date(r.generated_at), zone)}</time>.</p>
<p class="summary">${lateSummary(r.agencies)}</p>
<h2>Indikator kinerja siklus</h2>
<table><thead><tr><th>Indikator</th><th class="num">Capaian</th><th class="num">Target</th><th>Status</th></tr></thead><tbody>
${kpis.map(([k, v]) => kpiRow(k, v)).join('\n')}
</tbody></table>
<h2>Per instansi</h2>
<table class="agencies"><thead><tr><th>Instansi</th><th>Status</th><th class="num">Wajib</th><th class="num">Diterima</th><th class="num">Tepat waktu</th><th class="num">Terlambat</th><th class="num">Paling lama terlambat</th><th class="num">Belum ada</th><th class="num">Kelengkapan</th><th class="num">Ketepatan waktu</th></tr></thead><tbody>
${r.agencies
  .map(
    (a) =>
      `<tr><td>${escape(a.agency)} — ${escape(a.agency_name)}</td><td class="light"><span class="dot" style="background:${LIGHT[a.light][0]}"></span>${LIGHT[a.light][1]}</td><td class="num">${a.expected}</td><td class="num">${a.delivered}</td><td class="num">${a.on_time}</td><td class="num">${a.late}</td><td class="num">${a.late ? `${a.max_days_late} hari` : '–'}</td><td class="num">${a.missing}</td><td class="num">${pct(a.completeness_pct)}</td><td class="num">${pct(a.timeliness_pct)}</td></tr>`,
  )
  .join('\n')}
</tbody></table>
<h2>Kelengkapan dan ketepatan waktu</h2>
${chart(r.agencies)}
<h2>Belum diserahkan</h2>
${r.missing.length === 0 ? '<p>Semua data wajib telah diserahkan.</p>' : `<ul>${r.missing.map((m) => `<li>${escape(m.indicator)} — ${escape(m.agency)} (${m.cells} sel)</li>`).join('')}</ul>`}
${signature(print.signature)}
</body></html>`;
}
