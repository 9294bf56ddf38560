import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

export interface FindingFilter {
  agencyId?: string | undefined;
  agency?: string | undefined;
  datasetId?: string | undefined;
  versionId?: string | undefined;
  version?: number | undefined;
  indicator?: string | undefined;
  region?: string | undefined;
  detector?: string | undefined;
  kind?: 'anomaly' | 'rule' | undefined;
  severity?: string | undefined;
  code?: string | undefined;
  status?: string | undefined;
  /** Keyset: findings after (ascending) or before (descending) this id. */
  cursor?: string | undefined;
  order: 'asc' | 'desc';
  limit: number;
}

function selectFindings(db: Kysely<DB>) {
  return db
    .selectFrom('findings as f')
    .innerJoin('dataset_versions as v', 'v.id', 'f.version_id')
    .innerJoin('datasets as d', 'd.id', 'v.dataset_id')
    .innerJoin('agencies as a', 'a.id', 'd.agency_id')
    .select([
      sql<string>`f.id::text`.as('id'),
      'f.version_id',
      'f.code',
      'f.severity',
      'f.principle',
      'f.source_row',
      'f.pointer',
      'f.column_name',
      'f.value',
      'f.message_id',
      'f.message_en',
      'f.hint_id',
      'f.hint_en',
      'f.detector',
      'f.indicator_code',
      'f.region_code',
      'f.period',
      'f.details',
      'f.status',
      'f.answer',
      'f.answered_by',
      'f.answered_at',
      'f.resolution_note',
      'f.resolved_by',
      'f.resolved_at',
      'v.dataset_id',
      'v.version',
      'v.status as version_status',
      'a.id as agency_id',
      'a.code as agency',
      'a.jurisdiction_region_code',
    ]);
}

export type StoredFindingRow = Awaited<ReturnType<typeof findFinding>> & object;

export function findFinding(db: Kysely<DB>, id: string) {
  return selectFindings(db).where('f.id', '=', id).executeTakeFirst();
}

export function lockFinding(db: Kysely<DB>, id: string) {
  return db.selectFrom('findings').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
}

export function listFindings(db: Kysely<DB>, f: FindingFilter) {
  let q = selectFindings(db).orderBy('f.id', f.order).limit(f.limit + 1);
  if (f.agencyId) q = q.where('a.id', '=', f.agencyId);
  if (f.agency) q = q.where('a.code', '=', f.agency);
  if (f.datasetId) q = q.where('v.dataset_id', '=', f.datasetId);
  if (f.versionId) q = q.where('f.version_id', '=', f.versionId);
  if (f.version !== undefined) q = q.where('v.version', '=', f.version);
  if (f.indicator) q = q.where('f.indicator_code', '=', f.indicator);
  if (f.region) {
    const region = f.region;
    q = q.where((eb) => eb.or([eb('f.region_code', '=', region), eb('f.region_code', 'like', `${region}.%`)]));
  }
  if (f.detector) q = q.where('f.detector', '=', f.detector);
  if (f.kind === 'anomaly') q = q.where('f.detector', 'is not', null);
  if (f.kind === 'rule') q = q.where('f.detector', 'is', null);
  if (f.severity) q = q.where('f.severity', '=', f.severity);
  if (f.code) q = q.where('f.code', '=', f.code);
  if (f.status) q = q.where('f.status', '=', f.status);
  if (f.cursor !== undefined) q = q.where('f.id', f.order === 'asc' ? '>' : '<', f.cursor);
  return q.execute();
}

export async function setAnswer(db: Kysely<DB>, id: string, answer: string, by: string) {
  await db.updateTable('findings').set({ status: 'answered', answer, answered_by: by, answered_at: sql`now()` }).where('id', '=', id).execute();
}

export async function setResolution(db: Kysely<DB>, id: string, status: string, note: string, by: string) {
  await db.updateTable('findings').set({ status, resolution_note: note, resolved_by: by, resolved_at: sql`now()` }).where('id', '=', id).execute();
}
