import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

/** More regions than this at the coarsest level a dataset reaches are named by their provinces. */
export const MAX_SPATIAL = 20;

/**
 * The datasets the catalogue lists: those every consumer may see in GET /v1/datasets, the
 * open (terbuka) ones, oldest first so that pages stay put while new datasets arrive.
 */
function openDatasets(db: Kysely<DB>) {
  return db.selectFrom('datasets').where(sql<boolean>`datasets.metadata->>'access_classification' = 'terbuka'`);
}

export async function countCatalogDatasets(db: Kysely<DB>): Promise<number> {
  const row = await openDatasets(db).select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export function listCatalogDatasets(db: Kysely<DB>, page: { offset: number; limit: number }) {
  return openDatasets(db)
    .innerJoin('agencies', 'agencies.id', 'datasets.agency_id')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('dataset_versions')
          .select(['version', 'published_at'])
          .whereRef('dataset_versions.dataset_id', '=', 'datasets.id')
          .where('status', '=', 'published')
          .orderBy('version', 'desc')
          .limit(1)
          .as('published'),
      (join) => join.onTrue(),
    )
    .select([
      'datasets.id',
      'datasets.title',
      'datasets.indicator_codes',
      'datasets.metadata',
      'datasets.created_at',
      'datasets.updated_at',
      'agencies.code as agency_code',
      'agencies.name as agency_name',
      'agencies.jurisdiction_region_code',
      'published.version as published_version',
      'published.published_at',
    ])
    .orderBy('datasets.created_at')
    .orderBy('datasets.id')
    .offset(page.offset)
    .limit(page.limit)
    .execute();
}

/** The periods of each dataset's published observations. */
export async function publishedPeriods(db: Kysely<DB>, datasetIds: readonly string[]): Promise<Map<string, string[]>> {
  if (datasetIds.length === 0) return new Map();
  const { rows } = await sql<{ dataset_id: string; period: string }>`
    select distinct v.dataset_id::text as dataset_id, o.period
    from dataset_versions v join observations o on o.version_id = v.id
    where v.status = 'published' and v.dataset_id in (${sql.join(datasetIds.map((id) => sql`${id}::uuid`))})`.execute(db);
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.dataset_id, [...(out.get(r.dataset_id) ?? []), r.period]);
  return out;
}

/**
 * The regions each dataset's published observations cover, at the coarsest level they reach
 * (a province with its kab/kota is the province); more than MAX_SPATIAL of them are named by
 * their provinces instead, so a desa-level dataset is not described desa by desa.
 */
export async function publishedRegions(db: Kysely<DB>, datasetIds: readonly string[]): Promise<Map<string, { code: string; name: string }[]>> {
  if (datasetIds.length === 0) return new Map();
  const { rows } = await sql<{ dataset_id: string; code: string; name: string }>`
    with covered as (
      select distinct v.dataset_id, o.region_code, r.level
      from dataset_versions v
      join observations o on o.version_id = v.id
      join regions r on r.code = o.region_code
      where v.status = 'published' and v.dataset_id in (${sql.join(datasetIds.map((id) => sql`${id}::uuid`))})
    ),
    coarsest as (
      select c.dataset_id, c.region_code, count(*) over (partition by c.dataset_id) as n
      from covered c
      where c.level = (select min(level) from covered x where x.dataset_id = c.dataset_id)
    ),
    named as (
      select distinct dataset_id, case when n > ${MAX_SPATIAL} then split_part(region_code, '.', 1) else region_code end as code
      from coarsest
    )
    select named.dataset_id::text as dataset_id, named.code, r.name
    from named join regions r on r.code = named.code
    order by 1, 2`.execute(db);
  const out = new Map<string, { code: string; name: string }[]>();
  for (const r of rows) out.set(r.dataset_id, [...(out.get(r.dataset_id) ?? []), { code: r.code, name: r.name }]);
  return out;
}

export function catalogIndicators(db: Kysely<DB>, codes: readonly string[]) {
  if (codes.length === 0) return Promise.resolve([]);
  return db.selectFrom('indicators').select(['code', 'name', 'name_en', 'unit', 'measure', 'metadata']).where('code', 'in', [...codes]).execute();
}
