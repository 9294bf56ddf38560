import type { AnomalyDetails } from '../../domain/finding.js';
import type { StoredFindingRow } from './repository.js';

type FindingStatus = 'open' | 'answered' | 'explained' | 'confirmed-error';

/** A stored finding in its API shape: the report's finding, its id, and the conversation about it. */
export function presentStoredFinding(f: StoredFindingRow) {
  const details = f.details as ({ disaggregation?: AnomalyDetails['disaggregation'] } & Record<string, unknown>) | null;
  const { disaggregation = {}, ...numbers } = details ?? {};
  return {
    id: f.id,
    code: f.code,
    severity: f.severity as 'error' | 'warning',
    principle: f.principle as 'standar-data',
    ...(f.source_row !== null ? { row: f.source_row } : {}),
    ...(f.pointer !== null ? { pointer: f.pointer } : {}),
    ...(f.column_name !== null ? { column: f.column_name } : {}),
    ...(f.value !== null ? { value: f.value } : {}),
    message: { id: f.message_id, en: f.message_en },
    ...(f.hint_id !== null && f.hint_en !== null ? { hint: { id: f.hint_id, en: f.hint_en } } : {}),
    ...(f.detector !== null
      ? {
          anomaly: {
            detector: f.detector as AnomalyDetails['detector'],
            indicator: f.indicator_code ?? '',
            region: f.region_code ?? '',
            period: f.period ?? '',
            disaggregation,
            details: numbers,
          },
        }
      : {}),
    status: f.status as FindingStatus,
    answer: f.answer !== null && f.answered_by !== null && f.answered_at !== null ? { text: f.answer, by: f.answered_by, at: f.answered_at.toISOString() } : null,
    resolution:
      f.resolution_note !== null && f.resolved_by !== null && f.resolved_at !== null
        ? { status: f.status as 'explained' | 'confirmed-error', note: f.resolution_note, by: f.resolved_by, at: f.resolved_at.toISOString() }
        : null,
  };
}

/** A finding in the cross-dataset list, with where it belongs. */
export function presentFindingItem(f: StoredFindingRow) {
  return { ...presentStoredFinding(f), dataset_id: f.dataset_id, version: f.version, version_status: f.version_status, agency: f.agency };
}
