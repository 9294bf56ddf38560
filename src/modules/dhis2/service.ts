import type { Kysely } from 'kysely';
import type { Database } from '../../db/create-db.js';
import type { DB } from '../../db/schema.js';
import { AppError, type FieldError } from '../../http/app-error.js';
import type { Language } from '../../http/language.js';
import { isNational } from '../../domain/jurisdiction.js';
import type { Principal } from '../../domain/principal.js';
import { REGION_CODE_PATTERN } from '../../domain/region-code.js';
import { recordAudit } from '../audit/record-audit.js';
import { requireCovers } from '../authority/authority.js';
import { loadCodeSets } from '../codelists/repository.js';
import type { DatasetRow } from '../datasets/repository.js';
import { listFigures, type FigureCursor, type FigureFilter } from '../figures/repository.js';
import { regionLevels } from '../regions/repository.js';
import type { PushReport } from '../versions/ingest.js';
import type { JobWorker } from '../jobs/worker-service.js';
import { push, type PushOutcome, type PushRequest, type PushSettings } from '../versions/push-service.js';
import { toDataValue, type Dhis2ExportValue } from './export-rules.js';
import { importSummary, type ImportSummary } from './import-summary.js';
import { checkMapping, indexMapping, type Dhis2Mapping, type MappingIndex } from './mapping-rules.js';
import { fromDhis2Period } from './periods.js';
import type { Dhis2Push } from './push-source.js';
import { findMapping, findMappingForUpdate, upsertMapping } from './repository.js';

const REGION_CODE = new RegExp(REGION_CODE_PATTERN);

/** At most this many values in one export: a DHIS2 client asks by period and org unit. */
export const EXPORT_LIMIT = 100_000;

function present(row: { mapping: unknown; updated_by: string; updated_at: Date }) {
  return { ...(row.mapping as Dhis2Mapping), updated_by: row.updated_by, updated_at: row.updated_at.toISOString() };
}

export async function readMapping(db: Kysely<DB>, dataset: DatasetRow) {
  const row = await findMapping(db, dataset.id);
  if (!row) throw new AppError('DHIS2_MAPPING_NOT_FOUND', { id: dataset.id });
  return present(row);
}

/** The dataset's mapping; a dataset without one cannot take DHIS2 payloads. */
export async function currentMapping(db: Kysely<DB>, dataset: DatasetRow): Promise<Dhis2Mapping> {
  const row = await findMapping(db, dataset.id);
  if (!row) throw new AppError('DHIS2_MAPPING_MISSING', { id: dataset.id });
  return row.mapping as unknown as Dhis2Mapping;
}

/** The dataset's mapping, ready to translate with. */
export async function mappingIndex(db: Kysely<DB>, dataset: DatasetRow): Promise<MappingIndex> {
  return indexMapping(await currentMapping(db, dataset));
}

/**
 * Who may change how a dataset's DHIS2 codes read: the producers of its agency, and a walidata
 * whose jurisdiction covers the agency's region (a national one for a national agency).
 */
function assertMappingEditor(actor: Principal, dataset: DatasetRow): void {
  if (actor.role === 'producer') {
    if (actor.agency?.id !== dataset.agency_id) throw new AppError('AGENCY_SCOPE_FORBIDDEN', { agency: actor.agency?.code ?? actor.role });
    return;
  }
  if (dataset.jurisdiction_region_code === null) {
    if (!isNational(actor)) throw new AppError('OUTSIDE_JURISDICTION', { region: 'nasional', jurisdiction: actor.agency?.jurisdictionRegionCode ?? 'nasional' });
    return;
  }
  requireCovers(actor, dataset.jurisdiction_region_code);
}

/** Replaces the dataset's mapping whole, checked against the dataset, codelists and regions; audited. */
export async function replaceMapping(db: Kysely<DB>, actor: Principal, requestId: string, dataset: DatasetRow, mapping: Dhis2Mapping) {
  assertMappingEditor(actor, dataset);
  const regions = [...new Set(mapping.org_units.map((o) => o.region))];
  const existing = new Set((await regionLevels(db, regions)).map((r) => r.code));
  const errors: FieldError[] = checkMapping(mapping, {
    datasetIndicators: dataset.indicator_codes,
    jurisdiction: dataset.jurisdiction_region_code,
    codelists: await loadCodeSets(db, ['sex', 'age-group', 'disability', 'desil']),
    existingRegions: existing,
  });
  if (errors.length > 0) throw new AppError('REFERENCE_INVALID', {}, errors);
  return db.transaction().execute(async (trx) => {
    const before = await findMappingForUpdate(trx, dataset.id);
    const saved = await upsertMapping(trx, { dataset_id: dataset.id, mapping, updated_by: actor.clientId });
    await recordAudit(trx, {
      actor,
      requestId,
      action: before ? 'dhis2_mapping.replaced' : 'dhis2_mapping.created',
      entityType: 'dataset',
      entityId: dataset.id,
      before: before ? (before.mapping as object) : null,
      after: mapping,
    });
    return { created: !before, mapping: present(saved) };
  });
}

export type Dhis2PushOutcome =
  | { kind: 'accepted'; outcome: Extract<PushOutcome, { kind: 'accepted' }> }
  /** The key's first push was answered with a job: the same job again. */
  | { kind: 'replayed-job'; body: Record<string, unknown> }
  | { kind: 'reported'; status: number; replayed: boolean; report: PushReport; summary: ImportSummary };

/**
 * A DHIS2 push is a push: the same claim of the Idempotency-Key, the same job for a large one,
 * the same validation and version. What it adds is the import summary, counted from the
 * payload (read again for a replayed answer, which did not read it).
 */
export async function pushDataValueSet(
  database: Database,
  jobs: Pick<JobWorker, 'wake'>,
  settings: PushSettings,
  req: Omit<PushRequest, 'read'> & { read: () => Promise<Dhis2Push>; csvHeader: boolean; language: Language },
): Promise<Dhis2PushOutcome> {
  let prepared: Dhis2Push | undefined;
  try {
    const outcome = await push(database, jobs, settings, {
      ...req,
      read: async () => (prepared = await req.read()),
    });
    if (outcome.kind === 'accepted') return { kind: 'accepted', outcome };
    if (outcome.kind === 'replayed' && outcome.status === 202) return { kind: 'replayed-job', body: outcome.body };
    const report = (outcome.kind === 'pushed' ? outcome.report : outcome.body) as PushReport;
    const values = prepared!.values() ?? (await prepared!.count());
    const summary = importSummary(report, values, { csvHeader: req.csvHeader, language: req.language });
    return { kind: 'reported', status: outcome.status, replayed: outcome.kind === 'replayed', report, summary };
  } finally {
    await prepared?.release();
  }
}

export interface ExportQuery {
  periods: string[] | undefined;
  orgUnits: string[] | undefined;
  children: boolean;
  hideClosed: boolean;
}

function queryError(pointer: string, value: string, en: string, id: string): AppError {
  return new AppError('VALIDATION_FAILED', {}, [{ location: 'query', pointer, code: 'unknown-code', detail: { id: `"${value}": ${id}`, en: `"${value}": ${en}` } }]);
}

/** The regions an export covers: the org units asked for (with their children), or the agency's region. */
function exportScopes(dataset: DatasetRow, mapping: MappingIndex, q: ExportQuery): Pick<FigureFilter, 'region' | 'within'>[] {
  if (!q.orgUnits?.length) {
    const own = dataset.jurisdiction_region_code;
    return own === null ? [{}] : [{ region: own }, { within: own }];
  }
  return q.orgUnits.flatMap((code, i) => {
    const region = mapping.regionOf.get(code) ?? (mapping.kemendagriOrgUnits && REGION_CODE.test(code) ? code : undefined);
    if (region === undefined) throw queryError(`/orgUnit/${i}`, code, "not in this dataset's DHIS2 mapping", 'tidak ada dalam pemetaan DHIS2 dataset ini');
    return q.children ? [{ region }, { within: region }] : [{ region }];
  });
}

/**
 * The reconciled figures of the dataset's mapped indicators as DHIS2 data values, read with the
 * pull API's query and its rules (consumers never see a value from a `tertutup` dataset; a
 * disputed key has no value and is left out), and only what the mapping can name.
 */
export async function exportDataValues(db: Kysely<DB>, dataset: DatasetRow, mapping: MappingIndex, q: ExportQuery): Promise<Dhis2ExportValue[]> {
  const periods = (q.periods ?? []).map((p, i) => {
    const reading = fromDhis2Period(p);
    if (!reading.ok) throw queryError(`/period/${i}`, p, 'not a yearly, six-monthly, quarterly or monthly DHIS2 period', 'bukan periode DHIS2 tahunan, semesteran, triwulanan atau bulanan');
    return reading.period;
  });
  const indicators = [...mapping.dataElementOf.keys()];
  const out: Dhis2ExportValue[] = [];
  if (indicators.length === 0) return out;
  for (const scope of exportScopes(dataset, mapping, q)) {
    for (const period of periods.length ? periods : [undefined]) {
      let after: FigureCursor | undefined;
      for (;;) {
        const rows = await listFigures(db, { indicators, ...scope, period, hideClosed: q.hideClosed, after, limit: 1000 });
        for (const row of rows.slice(0, 1000)) {
          const value = toDataValue(row, mapping);
          if (value) out.push(value);
        }
        if (out.length > EXPORT_LIMIT) throw new AppError('DHIS2_EXPORT_TOO_LARGE', { limit: EXPORT_LIMIT });
        if (rows.length <= 1000) break;
        const last = rows[999]!;
        after = [last.indicator_code, last.period, last.region_code, last.disagg_key];
      }
    }
  }
  return out;
}
