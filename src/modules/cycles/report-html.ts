import { ZONE_LABELS, type TimeZone } from './deadline.js';

/** The printable one-page compliance report, in Indonesian, with no external assets. */
export interface HtmlInput {
  cycle: { name: string; region: string; time_zone: TimeZone; reference_periods: string[] };
  deadline_used: { which: string; date: string; ends_at: string; original: string; current: string; on_time_until: string };
  generated_at: string;
  kpis: Record<string, { value: number | null; target: number } | number>;
  agencies: { agency: string; agency_name: string; light: 'green' | 'amber' | 'red'; expected: number; delivered: number; on_time: number; late: number; missing: number; completeness_pct: number | null; timeliness_pct: number | null; max_days_late: number }[];
  missing: { indicator: string; agency: string; cells: number }[];
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const pct = (v: number | null) => (v === null ? '–' : `${v.toLocaleString('id-ID', { maximumFractionDigits: 1 })} %`);
// The status is written out, not only coloured: it must survive a black-and-white print and
// be readable by people who cannot tell red from green.
const LIGHT = { green: ['#1a7f37', 'Tepat waktu'], amber: ['#b7791f', 'Terlambat'], red: ['#c53030', 'Belum lengkap'] } as const;

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
  const target = days ? `≤ ${kpi.target} hari` : key.startsWith('inconsistency') ? `${kpi.target} %` : `${kpi.target} %`;
  return `<tr><td>${KPI_LABELS[key] ?? key}</td><td class="num">${value}</td><td class="num">${target}</td><td class="${met ? 'ok' : 'bad'}">${met ? 'tercapai' : 'belum tercapai'}</td></tr>`;
}

function chart(agencies: HtmlInput['agencies']): string {
  const row = 26;
  const width = 640;
  const label = 170;
  const bar = (width - label - 50) / 100;
  const rows = agencies.map((a, i) => {
    const y = i * row + 20;
    const c = a.completeness_pct ?? 0;
    const t = a.timeliness_pct ?? 0;
    return `<text x="0" y="${y + 12}" font-size="11">${escape(a.agency)}</text>
<rect x="${label}" y="${y}" width="${c * bar}" height="9" fill="#2b6cb0"><title>Kelengkapan ${pct(a.completeness_pct)}</title></rect>
<rect x="${label}" y="${y + 10}" width="${t * bar}" height="9" fill="#38a169"><title>Ketepatan waktu ${pct(a.timeliness_pct)}</title></rect>
<text x="${label + c * bar + 4}" y="${y + 8}" font-size="9">${pct(a.completeness_pct)}</text>
<text x="${label + t * bar + 4}" y="${y + 18}" font-size="9">${pct(a.timeliness_pct)}</text>`;
  });
  return `<svg role="img" aria-label="Kelengkapan dan ketepatan waktu per instansi" width="${width}" height="${agencies.length * row + 30}" xmlns="http://www.w3.org/2000/svg">
<text x="${label}" y="10" font-size="10" fill="#2b6cb0">■ kelengkapan</text><text x="${label + 110}" y="10" font-size="10" fill="#38a169">■ ketepatan waktu</text>
${rows.join('\n')}</svg>`;
}

export function renderComplianceHtml(r: HtmlInput): string {
  const zone = ZONE_LABELS[r.cycle.time_zone];
  const deadlineNote =
    r.deadline_used.original === r.deadline_used.current
      ? `Tenggat ${r.deadline_used.date} pukul 24.00 ${zone}.`
      : `Dihitung dengan tenggat ${r.deadline_used.which === 'original' ? 'awal' : 'yang berlaku'} ${r.deadline_used.date} pukul 24.00 ${zone} (tenggat awal ${r.deadline_used.original}, diubah menjadi ${r.deadline_used.current}).`;
  const closedEarly = r.deadline_used.on_time_until < r.deadline_used.ends_at ? ` Siklus ditutup ${r.deadline_used.on_time_until} sebelum tenggat berakhir; penyerahan sesudahnya dihitung terlambat.` : '';
  const kpis = Object.entries(r.kpis).filter((e): e is [string, { value: number | null; target: number }] => typeof e[1] === 'object');
  return `<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Laporan Kepatuhan — ${escape(r.cycle.name)}</title>
<style>
body{font:13px/1.4 system-ui,sans-serif;margin:24px;color:#1a202c}h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e2e8f0;padding:4px 6px;text-align:left}th{background:#f7fafc}
.num{text-align:right}.ok{color:#1a7f37;font-weight:600}.bad{color:#c53030;font-weight:600}.dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px}
.muted{color:#4a5568}@media print{body{margin:0}}
</style></head><body>
<h1>Laporan Kepatuhan Penyerahan Data — ${escape(r.cycle.name)}</h1>
<p class="muted">Wilayah ${escape(r.cycle.region)} · periode ${r.cycle.reference_periods.map(escape).join(', ')} · ${escape(deadlineNote + closedEarly)} Dibuat ${escape(r.generated_at)}.</p>
<h2>Indikator kinerja siklus</h2>
<table><thead><tr><th>Indikator</th><th class="num">Capaian</th><th class="num">Target</th><th>Status</th></tr></thead><tbody>
${kpis.map(([k, v]) => kpiRow(k, v)).join('\n')}
</tbody></table>
<h2>Per instansi</h2>
<table><thead><tr><th>Instansi</th><th>Status</th><th class="num">Wajib</th><th class="num">Diterima</th><th class="num">Tepat waktu</th><th class="num">Terlambat</th><th class="num">Belum ada</th><th class="num">Kelengkapan</th><th class="num">Ketepatan</th></tr></thead><tbody>
${r.agencies
  .map(
    (a) =>
      `<tr><td>${escape(a.agency)} — ${escape(a.agency_name)}</td><td class="light"><span class="dot" style="background:${LIGHT[a.light][0]}"></span>${LIGHT[a.light][1]}</td><td class="num">${a.expected}</td><td class="num">${a.delivered}</td><td class="num">${a.on_time}</td><td class="num">${a.late}${a.late ? ` (≤ ${a.max_days_late} hari)` : ''}</td><td class="num">${a.missing}</td><td class="num">${pct(a.completeness_pct)}</td><td class="num">${pct(a.timeliness_pct)}</td></tr>`,
  )
  .join('\n')}
</tbody></table>
<h2>Kelengkapan dan ketepatan waktu</h2>
${chart(r.agencies)}
<h2>Belum diserahkan</h2>
${r.missing.length === 0 ? '<p>Semua data wajib telah diserahkan.</p>' : `<ul>${r.missing.map((m) => `<li>${escape(m.indicator)} — ${escape(m.agency)} (${m.cells} sel)</li>`).join('')}</ul>`}
</body></html>`;
}
