import type { Language } from '../../http/language.js';
import type { Finding } from '../../domain/finding.js';
import type { PushReport } from '../versions/ingest.js';

/** A conflict as DHIS2 reports one: the offending object (here the value received) and why. */
export interface Dhis2Conflict {
  object: string;
  value: string;
  errorCode: string;
  property?: string;
  indexes?: number[];
}

/** DHIS2's `ImportSummary` (the `response` of its WebMessage since 2.38, the whole body before). */
export interface ImportSummary {
  responseType: 'ImportSummary';
  status: 'SUCCESS' | 'WARNING' | 'ERROR';
  description: string;
  importCount: { imported: number; updated: number; ignored: number; deleted: number };
  conflicts: Dhis2Conflict[];
  dataSetComplete: 'false';
}

/** Where a finding points, as the 0-based index of the data value DHIS2 conflicts name. */
export function valueIndex(finding: Pick<Finding, 'row' | 'pointer'>, csvHeader: boolean): number | undefined {
  if (finding.row !== undefined) return finding.row - (csvHeader ? 2 : 1);
  const index = /^\/dataValues\/(\d+)/.exec(finding.pointer ?? '')?.[1];
  return index === undefined ? undefined : Number(index);
}

/**
 * The report of a push told the way a DHIS2 integration reads an import. A version is taken
 * whole or not at all, so a rejected one imported nothing and ignored every value; each finding
 * the report carries inline is a conflict naming the value received.
 */
export function importSummary(report: PushReport, values: number, options: { csvHeader: boolean; language: Language }): ImportSummary {
  const taken = report.status === 'submitted';
  const imported = taken ? report.summary.accepted : 0;
  const conflicts = report.findings.map((f): Dhis2Conflict => {
    const index = valueIndex(f, options.csvHeader);
    return {
      object: f.value ?? f.column ?? f.code,
      value: f.message[options.language],
      errorCode: f.code,
      ...(f.column !== undefined ? { property: f.column } : {}),
      ...(index !== undefined && index >= 0 ? { indexes: [index] } : {}),
    };
  });
  const more = report.findings_truncated ? ` ${report.summary.errors + report.summary.warnings - report.findings.length} more findings: see the version report.` : '';
  return {
    responseType: 'ImportSummary',
    status: !taken ? 'ERROR' : conflicts.length > 0 ? 'WARNING' : 'SUCCESS',
    description: `${report.summary.verdict}.${more}`,
    importCount: { imported, updated: 0, ignored: Math.max(0, values - imported), deleted: 0 },
    conflicts,
    dataSetComplete: 'false',
  };
}
