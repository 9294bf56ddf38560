import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Principal } from '../../domain/principal.js';

function selectDatasets(db: Kysely<DB>) {
  return db
    .selectFrom('datasets')
    .innerJoin('agencies', 'agencies.id', 'datasets.agency_id')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('dataset_versions')
          .select(['version', 'status', 'submitted_at'])
          .whereRef('dataset_versions.dataset_id', '=', 'datasets.id')
          .orderBy('version', 'desc')
          .limit(1)
          .as('latest'),
      (join) => join.onTrue(),
    )
    .select([
      'datasets.id',
      'datasets.agency_id',
      'agencies.code as agency',
      'agencies.jurisdiction_region_code',
      'datasets.title',
      'datasets.indicator_codes',
      'datasets.metadata',
      'datasets.created_at',
      'datasets.updated_at',
      'latest.version as latest_version',
      'latest.status as latest_status',
      'latest.submitted_at as latest_submitted_at',
    ]);
}

export type DatasetRow = Awaited<ReturnType<typeof findDataset>> & object;

export function findDataset(db: Kysely<DB>, id: string) {
  return selectDatasets(db).where('datasets.id', '=', id).executeTakeFirst();
}

/**
 * Who sees which datasets: walidata and admin all; a producer its own agency's and open
 * ones; a consumer open ones (terbuka) only.
 */
export function listDatasets(
  db: Kysely<DB>,
  viewer: Principal,
  f: { agency?: string | undefined; indicator?: string | undefined; status?: string | undefined; before?: { at: string; id: string } | undefined; limit: number },
) {
  let q = selectDatasets(db).orderBy('datasets.created_at', 'desc').orderBy('datasets.id', 'desc').limit(f.limit + 1);
  if (viewer.role === 'consumer') q = q.where(sql<boolean>`datasets.metadata->>'access_classification' = 'terbuka'`);
  if (viewer.role === 'producer') {
    const own = viewer.agency?.id ?? '';
    q = q.where((eb) => eb.or([eb('datasets.agency_id', '=', own), eb(sql<string>`datasets.metadata->>'access_classification'`, '=', 'terbuka')]));
  }
  if (f.agency) q = q.where('agencies.code', '=', f.agency);
  if (f.indicator) q = q.where(sql<boolean>`${f.indicator} = any(datasets.indicator_codes)`);
  if (f.status === 'none') q = q.where('latest.status', 'is', null);
  else if (f.status) q = q.where('latest.status', '=', f.status);
  if (f.before) {
    const { at, id } = f.before;
    q = q.where(sql<boolean>`(datasets.created_at, datasets.id) < (${at}::timestamptz, ${id}::uuid)`);
  }
  return q.execute();
}

export async function insertDataset(
  db: Kysely<DB>,
  v: { agency_id: string; title: string; indicator_codes: string[]; metadata: Record<string, unknown>; created_by: string },
): Promise<string> {
  const row = await db
    .insertInto('datasets')
    .values({ ...v, metadata: JSON.stringify(v.metadata) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateDataset(db: Kysely<DB>, id: string, v: { title: string; indicator_codes: string[]; metadata: Record<string, unknown> }) {
  await db
    .updateTable('datasets')
    .set({ ...v, metadata: JSON.stringify(v.metadata), updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

/** Locks the dataset row: pushes to one dataset are numbered one after the other. */
export async function lockDataset(db: Kysely<DB>, id: string) {
  return db.selectFrom('datasets').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
}
