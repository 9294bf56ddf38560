import type { IndicatorFacts, RegionFacts, ValidationContext } from '../../src/modules/validation/context.js';
import type { Finding, RawObservation } from '../../src/domain/finding.js';
import { containsNik } from '../../src/domain/finding-builder.js';

/** A small world for the validation rules: Kalimantan Utara (65) and a neighbour (64). */
function indicator(code: string, facts: Partial<IndicatorFacts>): [string, IndicatorFacts] {
  return [
    code,
    {
      code,
      measure: 'jumlah',
      unit: 'orang',
      value_type: 'integer',
      valid_min: 0,
      valid_max: null,
      periodicity: 'tahunan',
      disaggregations: [],
      ...facts,
    },
  ];
}

export const INDICATORS = new Map<string, IndicatorFacts>([
  indicator('IKS-01', { measure: 'persentase', unit: 'persen', value_type: 'decimal', valid_min: 0, valid_max: 100, disaggregations: ['sex'] }),
  indicator('IKS-07', { measure: 'rasio', unit: 'per 100.000 kelahiran hidup', value_type: 'decimal', valid_min: 0, valid_max: 2000 }),
  indicator('PPKS-06', { disaggregations: ['sex', 'age_group', 'disability', 'desil'] }),
  indicator('PPKS-09', { valid_min: 0, valid_max: 500000 }),
  indicator('X-BULAN', { periodicity: 'bulanan' }),
  indicator('X-TRI', { periodicity: 'triwulanan' }),
  indicator('X-SEM', { periodicity: 'semesteran' }),
  indicator('X-INS', { periodicity: 'insidental' }),
  indicator('X-RATA', { measure: 'rata-rata', unit: 'rupiah', value_type: 'decimal', valid_min: null, valid_max: null }),
  indicator('OTHER-01', {}),
]);

export const REGIONS = new Map<string, RegionFacts>(
  (
    [
      ['65', 1],
      ['65.01', 2],
      ['65.71', 2],
      ['65.72', 2],
      ['65.71.01', 3],
      ['65.71.01.1001', 4],
      ['64.71', 2],
      ['11.10', 2],
    ] as const
  ).map(([code, level]) => [code, { code, level }]),
);

export const CODELISTS = new Map<string, ReadonlySet<string>>([
  ['obs-status', new Set(['A', 'B', 'D', 'E', 'F', 'G', 'I', 'K', 'L', 'M', 'N', 'O', 'P', 'Q', 'S', 'U', 'V'])],
  ['sex', new Set(['L', 'P'])],
  ['age-group', new Set(['0-4', '5-9', '10-14', '15-19', '75+'])],
  ['disability', new Set(['disabilitas', 'non-disabilitas'])],
  ['desil', new Set(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'])],
]);

export function context(overrides: Partial<ValidationContext> = {}): ValidationContext {
  return {
    datasetIndicators: new Set([...INDICATORS.keys()].filter((c) => c !== 'OTHER-01')),
    indicators: INDICATORS,
    regions: REGIONS,
    codelists: CODELISTS,
    jurisdiction: '65',
    estimationLevels: new Set<number>(),
    ...overrides,
  };
}

export function raw(overrides: Partial<RawObservation> = {}): RawObservation {
  return { row: 2, indicator: 'PPKS-06', region: '65.71', period: '2025', value: '12', ...overrides };
}

export function codes(findings: readonly Finding[]): string[] {
  return findings.map((f) => f.code);
}

/** The one finding with this code; fails loudly when there is none or several. */
export function only(findings: readonly Finding[], code: string): Finding {
  const matching = findings.filter((f) => f.code === code);
  if (matching.length !== 1) throw new Error(`expected one ${code}, got ${JSON.stringify(codes(findings))}`);
  return matching[0]!;
}

/** Every finding has both languages, distinct, and no unmasked NIK anywhere. */
export function wellFormed(findings: readonly Finding[]): string[] {
  const problems: string[] = [];
  for (const f of findings) {
    const texts = [f.message.id, f.message.en, f.hint?.id, f.hint?.en].filter((x): x is string => x !== undefined);
    if (!f.message.id || !f.message.en) problems.push(`${f.code}: empty message`);
    if (f.message.id === f.message.en) problems.push(`${f.code}: message not translated`);
    if (f.hint && f.hint.id === f.hint.en) problems.push(`${f.code}: hint not translated`);
    if (containsNik(JSON.stringify(f))) problems.push(`${f.code}: unmasked NIK-like number`);
    if (!/^(SD|KR|IO|MD)_[A-Z_]+$/.test(f.code)) problems.push(`${f.code}: bad code`);
    for (const text of texts) if (/undefined|\[object /.test(text)) problems.push(`${f.code}: "${text}"`);
  }
  return problems;
}
