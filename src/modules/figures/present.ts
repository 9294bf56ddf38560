import { levelName } from '../../domain/region-code.js';
import type { Candidate, FigureMethod } from '../reconciliation/policy.js';
import type { FigureRow } from './repository.js';

/** A figure in its API shape; `candidates` only when asked for, already filtered for the viewer. */
export function presentFigure(row: FigureRow, candidates?: Candidate[]) {
  return {
    indicator: row.indicator_code,
    indicator_name: row.indicator_name,
    unit: row.unit,
    definition: row.definition,
    formula: row.formula,
    region: row.region_code,
    region_name: row.region_name,
    region_level: levelName(row.region_level),
    period: row.period,
    disaggregation: row.disagg,
    status: row.status as 'final' | 'disputed',
    value: row.value,
    method: row.method as FigureMethod | null,
    source:
      row.source_agency && row.source_dataset_id && row.source_version !== null
        ? {
            agency: row.source_agency,
            agency_name: row.source_agency_name ?? row.source_agency,
            dataset_id: row.source_dataset_id,
            dataset_title: row.source_dataset_title ?? '',
            version: row.source_version,
            published_at: row.source_published_at?.toISOString() ?? null,
          }
        : null,
    conflict_id: row.conflict_id,
    rationale: row.rationale,
    decided_by: row.decided_by,
    valid_from: row.valid_from.toISOString(),
    valid_to: row.valid_to?.toISOString() ?? null,
    ...(candidates ? { candidates } : {}),
  };
}

export type PresentedFigure = ReturnType<typeof presentFigure>;

export const CSV_COLUMNS = [
  'indicator',
  'region',
  'region_name',
  'period',
  'sex',
  'age_group',
  'disability',
  'desil',
  'desil_ranking_date',
  'status',
  'value',
  'unit',
  'method',
  'source_agency',
  'source_version',
  'conflict_id',
  'valid_from',
] as const;

/** One flat CSV row per figure, breakdown spread over its own columns. */
export function csvRow(f: PresentedFigure): Record<string, string | number | null> {
  return {
    ...f.disaggregation,
    indicator: f.indicator,
    region: f.region,
    region_name: f.region_name,
    period: f.period,
    status: f.status,
    value: f.value,
    unit: f.unit,
    method: f.method,
    source_agency: f.source?.agency ?? null,
    source_version: f.source?.version ?? null,
    conflict_id: f.conflict_id,
    valid_from: f.valid_from,
  };
}
