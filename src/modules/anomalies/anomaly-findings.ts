import type { Bilingual, Disaggregation, Finding, Severity } from '../../domain/finding.js';
import type { CoherenceHit, Hit, OutlierHit, SeriesPoint } from './detectors.js';
import type { Detector, QualityRules } from '../../domain/quality-rules.js';

/**
 * Turns what a detector found into a finding a person can judge: the value, what it was
 * compared with, and the threshold, in Indonesian and English.
 */

/** Where a stored comparison figure comes from: the reconciled figure served now, and the version it was taken from. */
export interface FigureSource {
  kind: 'reconciled';
  method: string | null;
  agency: string | null;
  dataset_id: string | null;
  version: number | null;
}

/** A figure a finding was compared with, and where it came from: this push, or a published figure. */
export interface ComparedFigure {
  region: string;
  value: number;
  source: 'push' | FigureSource;
}

export interface PointRef {
  indicator: string;
  region: string;
  period: string;
  disagg: Disaggregation;
  value: number;
  row: number | null;
}

const num = (n: number) => String(Number.isInteger(n) ? n : Number(n.toFixed(3)));
const seriesText = (points: readonly SeriesPoint[]) => points.map((p) => `${p.period}: ${num(p.value)}`).join(', ');

function seriesName(p: PointRef): string {
  const parts = [p.indicator, p.region, ...Object.entries(p.disagg).map(([k, v]) => `${k}=${v}`)];
  return parts.join(' · ');
}

const ANSWER_HINT: Bilingual = {
  id: 'Periksa angka ini. Bila benar, jawab temuan dengan penjelasannya (mis. program penjangkauan baru); bila salah, kirim versi perbaikan.',
  en: 'Check this figure. If it is right, answer the finding with the explanation (e.g. a new outreach programme); if it is wrong, push a corrected version.',
};

function finding(p: PointRef, detector: Detector, severity: Severity, code: string, message: Bilingual, details: Record<string, unknown>): Finding {
  return {
    code,
    severity,
    principle: 'kewajaran',
    ...(p.row !== null ? { row: p.row } : {}),
    column: 'value',
    value: num(p.value),
    message,
    hint: ANSWER_HINT,
    anomaly: { detector, indicator: p.indicator, region: p.region, period: p.period, disaggregation: p.disagg, details: { value: p.value, ...details } },
  };
}

export function seriesFinding(p: PointRef, hit: Hit, rules: QualityRules): Finding {
  const s = seriesName(p);
  switch (hit.kind) {
    case 'jump': {
      const pct = Math.round((hit.change / hit.previous.value) * 100);
      return finding(p, 'jump', rules.jump.severity as Severity, 'AN_JUMP', {
        id: `Lonjakan pada ${s}: ${num(p.value)} pada ${p.period} dibanding ${num(hit.previous.value)} pada ${hit.previous.period} (${pct > 0 ? '+' : ''}${pct}%, ${num(hit.ratio)} kali; ambang ${num(rules.jump.max_ratio)} kali dan selisih minimal ${num(rules.jump.min_change)}).`,
        en: `Jump in ${s}: ${num(p.value)} in ${p.period} against ${num(hit.previous.value)} in ${hit.previous.period} (${pct > 0 ? '+' : ''}${pct}%, ${num(hit.ratio)} times; threshold ${num(rules.jump.max_ratio)} times and a change of at least ${num(rules.jump.min_change)}).`,
      }, { compared: [hit.previous], ratio: hit.ratio, change: hit.change, threshold: { max_ratio: rules.jump.max_ratio, min_change: rules.jump.min_change } });
    }
    case 'drop-to-zero':
      return finding(p, 'zero', rules.zero.severity as Severity, 'AN_DROP_TO_ZERO', {
        id: `${s} turun menjadi 0 pada ${p.period}, padahal sebelumnya rata-rata ${num(hit.typical)} (${seriesText(hit.recent)}).`,
        en: `${s} falls to 0 in ${p.period} after averaging ${num(hit.typical)} (${seriesText(hit.recent)}).`,
      }, { compared: hit.recent, typical: hit.typical, threshold: { min_typical: rules.zero.min_typical, min_history: rules.zero.min_history } });
    case 'from-zero':
      return finding(p, 'zero', rules.zero.severity as Severity, 'AN_FROM_ZERO', {
        id: `${s} bernilai ${num(p.value)} pada ${p.period} setelah selalu 0 (${seriesText(hit.recent)}).`,
        en: `${s} is ${num(p.value)} in ${p.period} after being 0 throughout (${seriesText(hit.recent)}).`,
      }, { compared: hit.recent, threshold: { min_typical: rules.zero.min_typical, min_history: rules.zero.min_history } });
    case 'flat-run':
      return finding(p, 'flat', rules.flat.severity as Severity, 'AN_FLAT_SERIES', {
        id: `${s} bernilai sama (${num(p.value)}) selama ${hit.mayStartEarlier ? 'sekurang-kurangnya ' : ''}${hit.run.length} periode berturut-turut (${hit.run[0]!.period}–${p.period}${hit.mayStartEarlier ? ', mungkin sejak lebih awal' : ''}); angka mungkin disalin dari tahun sebelumnya, bukan dihitung ulang (ambang ${rules.flat.min_run} periode).`,
        en: `${s} has the same value (${num(p.value)}) for ${hit.mayStartEarlier ? 'at least ' : ''}${hit.run.length} consecutive periods (${hit.run[0]!.period}–${p.period}${hit.mayStartEarlier ? ', perhaps from earlier' : ''}); it may have been copied forward rather than counted (threshold ${rules.flat.min_run} periods).`,
      }, { compared: hit.run, run_length: hit.run.length, run_may_start_earlier: hit.mayStartEarlier, threshold: { min_run: rules.flat.min_run } });
    case 'low-variance':
      return finding(p, 'flat', rules.flat.severity as Severity, 'AN_LOW_VARIANCE', {
        id: `${s} hampir tidak berubah selama ${hit.window.length} periode (koefisien variasi ${num(hit.cv)} di bawah ${num(rules.flat.min_cv)}): ${seriesText(hit.window)}.`,
        en: `${s} barely moves over ${hit.window.length} periods (coefficient of variation ${num(hit.cv)} below ${num(rules.flat.min_cv)}): ${seriesText(hit.window)}.`,
      }, { compared: hit.window, cv: hit.cv, mean: hit.mean, threshold: { min_cv: rules.flat.min_cv, cv_window: rules.flat.cv_window, cv_min_mean: rules.flat.cv_min_mean } });
  }
}

/** "4 from this push, 6 published" — how many of the compared figures came from where. */
function provenance(figures: readonly ComparedFigure[]): Bilingual {
  const pushed = figures.filter((f) => f.source === 'push').length;
  const stored = figures.length - pushed;
  const parts = (own: string, published: string) => [pushed > 0 ? `${pushed} ${own}` : '', stored > 0 ? `${stored} ${published}` : ''].filter(Boolean).join(', ');
  return { id: parts('dari kiriman ini', 'angka terbit'), en: parts('from this push', 'published') };
}

function sourceText(f: ComparedFigure): Bilingual {
  if (f.source === 'push') return { id: 'kiriman ini', en: 'this push' };
  const by = f.source.agency ? `${f.source.agency}${f.source.version !== null ? ` v${f.source.version}` : ''}` : (f.source.method ?? '-');
  return { id: `angka terbit, ${by}`, en: `published, ${by}` };
}

export function outlierFinding(p: PointRef, hit: OutlierHit<unknown>, peers: readonly ComparedFigure[], rules: QualityRules): Finding {
  const s = seriesName(p);
  const basis = hit.basis === 'per-capita' ? { id: ' per 1.000 penduduk', en: ' per 1,000 population' } : { id: '', en: '' };
  const from = provenance(peers);
  return finding(p, 'outlier', rules.outlier.severity as Severity, 'AN_PEER_OUTLIER', {
    id: `${s} pada ${p.period} jauh dari wilayah setara: ${num(hit.compared)}${basis.id} dibanding median ${num(hit.median)} dari ${hit.peers} wilayah dengan induk dan tingkat yang sama (${from.id}; z robust ${num(hit.z)}, ambang ${num(rules.outlier.max_z)}).`,
    en: `${s} in ${p.period} is far from its peers: ${num(hit.compared)}${basis.en} against a median of ${num(hit.median)} across ${hit.peers} regions of the same level and parent (${from.en}; robust z ${num(hit.z)}, threshold ${num(rules.outlier.max_z)}).`,
  }, { basis: hit.basis, compared_value: hit.compared, median: hit.median, mad: hit.mad, z: hit.z, peers: hit.peers, peer_values: peers, threshold: { max_z: rules.outlier.max_z, min_peers: rules.outlier.min_peers } });
}

export interface CoherenceGroup {
  parent: ComparedFigure;
  children: readonly ComparedFigure[];
}

/** `p` is where the finding sits: the pushed parent, or a pushed child when the parent figure is a published one. */
export function coherenceFinding(p: PointRef, group: CoherenceGroup, hit: CoherenceHit, rules: QualityRules): Finding {
  const parent = seriesName({ ...p, region: group.parent.region });
  const from = provenance(group.children);
  const src = sourceText(group.parent);
  const common = {
    parent: group.parent,
    children: group.children,
    children_sum: hit.sum,
    children_reported: hit.children,
    children_expected: hit.expected,
    threshold: { tolerance: rules.coherence.tolerance },
  };
  if (hit.kind === 'children-exceed') {
    return finding(p, 'coherence', rules.coherence.severity as Severity, 'AN_CHILDREN_EXCEED_PARENT', {
      id: `Jumlah ${hit.children} wilayah di bawah ${group.parent.region} (${num(hit.sum)}; ${from.id}) melebihi angka ${parent} sendiri (${num(hit.parent)}; ${src.id}) pada ${p.period}.`,
      en: `The ${hit.children} regions under ${group.parent.region} sum to ${num(hit.sum)} (${from.en}), more than ${parent} itself (${num(hit.parent)}; ${src.en}) in ${p.period}.`,
    }, common);
  }
  return finding(p, 'coherence', rules.coherence.severity as Severity, 'AN_CHILDREN_DIVERGE', {
    id: `Semua ${hit.children} wilayah di bawah ${group.parent.region} berjumlah ${num(hit.sum)} (${from.id}), berbeda ${num(Math.abs(hit.difference) * 100)}% dari angka ${parent} (${num(hit.parent)}; ${src.id}) pada ${p.period} (toleransi ${num(rules.coherence.tolerance * 100)}%).`,
    en: `All ${hit.children} regions under ${group.parent.region} sum to ${num(hit.sum)} (${from.en}), ${num(Math.abs(hit.difference) * 100)}% off ${parent} (${num(hit.parent)}; ${src.en}) in ${p.period} (tolerance ${num(rules.coherence.tolerance * 100)}%).`,
  }, { ...common, difference: hit.difference });
}

export function populationFinding(p: PointRef, population: { value: number; year: number }, rules: QualityRules): Finding {
  const s = seriesName(p);
  return finding(p, 'population', rules.population.severity as Severity, 'AN_ABOVE_POPULATION', {
    id: `${s} pada ${p.period} (${num(p.value)} orang) melebihi jumlah penduduk wilayah itu (${num(population.value)}, tahun ${population.year}).`,
    en: `${s} in ${p.period} (${num(p.value)} persons) exceeds the region's population (${num(population.value)}, year ${population.year}).`,
  }, { population: population.value, population_year: population.year });
}
