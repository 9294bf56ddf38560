import type { DatasetRow } from './repository.js';

export function presentDataset(row: DatasetRow) {
  return {
    id: row.id,
    agency: row.agency,
    title: row.title,
    indicators: row.indicator_codes,
    ...row.metadata,
    latest_version:
      row.latest_version === null || row.latest_version === undefined
        ? null
        : { version: row.latest_version, status: row.latest_status ?? '', submitted_at: new Date(row.latest_submitted_at ?? 0).toISOString() },
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
