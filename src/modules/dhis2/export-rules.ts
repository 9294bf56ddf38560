import type { MappingIndex } from './mapping-rules.js';
import { toDhis2Period } from './periods.js';

/** What the export needs of a reconciled figure. */
export interface ExportableFigure {
  indicator_code: string;
  region_code: string;
  period: string;
  disagg_key: string;
  value: string | null;
  method: string | null;
  source_agency: string | null;
  source_version: number | null;
  valid_from: Date;
}

export interface Dhis2ExportValue {
  dataElement: string;
  period: string;
  orgUnit: string;
  categoryOptionCombo: string;
  value: string;
  lastUpdated: string;
  comment: string;
}

/**
 * A reconciled figure as a DHIS2 data value, through the same mapping the pushes use; null
 * when the mapping cannot say it (no code for its indicator, breakdown or region) or when it
 * has no value (a key still disputed).
 */
export function toDataValue(figure: ExportableFigure, mapping: MappingIndex): Dhis2ExportValue | null {
  if (figure.value === null) return null;
  const dataElement = mapping.dataElementOf.get(figure.indicator_code);
  const combo = mapping.comboOf.get(figure.disagg_key);
  const orgUnit = mapping.orgUnitOf.get(figure.region_code) ?? (mapping.kemendagriOrgUnits ? figure.region_code : undefined);
  if (dataElement === undefined || combo === undefined || orgUnit === undefined) return null;
  const source = figure.source_agency ? `${figure.source_agency} v${figure.source_version}` : 'walidata';
  return {
    dataElement,
    period: toDhis2Period(figure.period),
    orgUnit,
    categoryOptionCombo: combo,
    value: figure.value,
    lastUpdated: figure.valid_from.toISOString(),
    comment: `${figure.method ?? 'reconciled'}: ${source}`,
  };
}

/** DHIS2's CSV columns, in the order DHIS2 reads them. */
export const EXPORT_CSV_COLUMNS = ['dataelement', 'period', 'orgunit', 'categoryoptioncombo', 'attributeoptioncombo', 'value', 'storedby', 'lastupdated', 'comment'] as const;

export function csvRecord(v: Dhis2ExportValue): string[] {
  return [v.dataElement, v.period, v.orgUnit, v.categoryOptionCombo, '', v.value, '', v.lastUpdated, v.comment];
}
