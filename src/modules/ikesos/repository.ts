import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { consumerVisible, servedAsOf } from '../reconciliation/repository.js';
import type { FigureInput } from './scoring.js';

export type MethodologyRow = Awaited<ReturnType<typeof findMethodology>> & object;

function selectMethodologies(db: Kysely<DB>) {
  return db
    .selectFrom('ikesos_methodologies')
    .select([
      sql<string>`id::text`.as('id'),
      'version',
      'name',
      'description',
      'provisional',
      'status',
      'config',
      'created_by',
      'created_at',
      'activated_by',
      'activated_at',
      'retired_at',
    ]);
}

export function listMethodologies(db: Kysely<DB>) {
  return selectMethodologies(db).orderBy('id').execute();
}

export function findMethodology(db: Kysely<DB>, id: string, options: { forUpdate?: boolean } = {}) {
  const q = selectMethodologies(db).where('id', '=', id);
  return (options.forUpdate ? q.forUpdate() : q).executeTakeFirst();
}

/** The methodology in force now, or at `asOf` (so a past score is computed as it was). */
export function methodologyInForce(db: Kysely<DB>, asOf: string | undefined) {
  if (!asOf) return selectMethodologies(db).where('status', '=', 'active').executeTakeFirst();
  return selectMethodologies(db)
    .where(sql<boolean>`activated_at <= ${asOf}::timestamptz and (retired_at is null or retired_at > ${asOf}::timestamptz)`)
    .orderBy('activated_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function insertMethodology(db: Kysely<DB>, v: { version: string; name: string; description: string; provisional: boolean; config: object; created_by: string }) {
  const row = await db
    .insertInto('ikesos_methodologies')
    .values({ ...v, status: 'draft', config: JSON.stringify(v.config) })
    .returning(sql<string>`id::text`.as('id'))
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Retires whatever is active and activates this one: the unique index keeps it to one. */
export async function activateMethodology(db: Kysely<DB>, id: string, actor: string) {
  await db.updateTable('ikesos_methodologies').set({ status: 'retired', retired_at: sql`now()` }).where('status', '=', 'active').execute();
  await db.updateTable('ikesos_methodologies').set({ status: 'active', activated_by: actor, activated_at: sql`now()` }).where('id', '=', id).execute();
}

export interface RegionSelection {
  region?: string | undefined;
  level?: number | undefined;
  within?: string | undefined;
}

/** Whether the region `r` (an alias of regions) is in the selection; every region for an empty one. */
function inSelection(s: RegionSelection) {
  const conditions = [
    ...(s.region ? [sql<boolean>`r.code = ${s.region}`] : []),
    ...(s.level !== undefined ? [sql<boolean>`r.level = ${s.level}`] : []),
    ...(s.within ? [sql<boolean>`r.code like ${`${s.within}.%`}`] : []),
  ];
  return conditions.length > 0 ? sql<boolean>`(${sql.join(conditions, sql` and `)})` : sql<boolean>`true`;
}

export function selectedRegions(db: Kysely<DB>, s: RegionSelection) {
  return db.selectFrom('regions as r').select(['r.code', 'r.name', 'r.level', 'r.parent_code']).where(inSelection(s)).orderBy('r.code').execute();
}

/**
 * The reconciled totals (no breakdown) of some indicators for some regions and one period, as
 * served now or at `asOf`. With `hideClosed` (consumers), a figure the pull API would not
 * serve them (figures' `consumerVisible`) comes back as `restricted`, its value, method,
 * conflict and source dropped here, so nothing of it can reach a consumer's score or response.
 */
export async function scoringFigures(db: Kysely<DB>, f: { indicators: string[]; regions: string[]; period: string; asOf: string | undefined; hideClosed: boolean }) {
  if (f.indicators.length === 0 || f.regions.length === 0) return [];
  const served = servedAsOf(f.asOf);
  const visible = f.hideClosed ? consumerVisible('f', 'd') : sql<boolean>`true`;
  const { rows } = await sql<{
    region_code: string;
    indicator_code: string;
    status: 'final' | 'disputed';
    value: string | null;
    method: string | null;
    conflict_id: string | null;
    source_agency: string | null;
    source_version: number | null;
    source_dataset_id: string | null;
    visible: boolean;
  }>`
    select f.region_code, f.indicator_code, f.status, f.value::text as value, f.method, f.conflict_id::text as conflict_id,
           a.code as source_agency, v.version as source_version, v.dataset_id::text as source_dataset_id, ${visible} as visible
    from reconciled_figures f
    left join dataset_versions v on v.id = f.source_version_id
    left join datasets d on d.id = v.dataset_id
    left join agencies a on a.id = d.agency_id
    where f.indicator_code = any(${f.indicators}::text[]) and f.region_code = any(${f.regions}::text[])
      and f.period = ${f.period} and f.disagg_key = '' and ${served}`.execute(db);
  return rows.map(({ visible: shown, ...r }) =>
    shown
      ? r
      : {
          region_code: r.region_code,
          indicator_code: r.indicator_code,
          status: 'restricted' as const,
          value: null,
          method: null,
          conflict_id: null,
          source_agency: null,
          source_version: null,
          source_dataset_id: null,
        },
  );
}

/**
 * A score list's inputs in one statement: each region selected, in code order, with its
 * reconciled totals of the indicators (as `scoringFigures` reads them, without provenance: a
 * list shows none) and the official score beside. One round trip per list, not three (on a
 * loaded machine each waits its turn), and one row per region rather than one per figure:
 * its figures come as one JSON array of position–value pairs (the position in `indicators`;
 * the numeric's text, or for a figure not used its status), which Postgres builds and the
 * client parses natively, for less than rows or JSON objects cost. A restricted figure's
 * value never leaves the database.
 */
export async function scoreListInputs(db: Kysely<DB>, f: { indicators: string[]; selection: RegionSelection; period: string; asOf: string | undefined; hideClosed: boolean }) {
  const served = servedAsOf(f.asOf);
  const shown = sql`coalesce(f.value::text, '"' || f.status || '"')`;
  // Its source dataset, joined only when a consumer reads: whether they may see the figure.
  const figure = f.hideClosed ? sql`case when ${consumerVisible('f', 'd')} then ${shown} else '"restricted"' end` : shown;
  const source = f.hideClosed ? sql`left join dataset_versions v on v.id = f.source_version_id left join datasets d on d.id = v.dataset_id` : sql``;
  const selected = inSelection(f.selection);
  const official = f.asOf ? sql`and o.loaded_at <= ${f.asOf}::timestamptz` : sql``;
  // Figures are gathered per region before the join: 514 rows to join and sort, not 7,710.
  const { rows } = await sql<{
    code: string;
    name: string;
    level: number;
    figures: string | null;
    official_score: string | null;
    official_category: string | null;
    official_source: string | null;
    official_loaded_at: Date | null;
  }>`
    select r.code, r.name, r.level, f.figures,
           o.score::text as official_score, o.category as official_category, o.source as official_source, o.loaded_at as official_loaded_at
    from regions r
    left join (
      select f.region_code, '[' || string_agg(array_position(${f.indicators}::text[], f.indicator_code) || ',' || ${figure}, ',') || ']' as figures
      from reconciled_figures f ${source}
      where f.indicator_code = any(${f.indicators}::text[]) and f.period = ${f.period} and f.disagg_key = '' and ${served}
        and f.region_code in (select r.code from regions r where ${selected})
      group by f.region_code
    ) f on f.region_code = r.code
    left join ikesos_official_scores o on o.region_code = r.code and o.period = ${f.period} ${official}
    where ${selected}
    order by r.code`.execute(db);
  return rows.map((r) => ({
    code: r.code,
    name: r.name,
    level: r.level,
    figures: figureMap(f.indicators, r.figures),
    official: r.official_score === null ? null : { score: r.official_score, category: r.official_category, source: r.official_source!, loaded_at: r.official_loaded_at! },
  }));
}

const NOT_USED = new Map<unknown, FigureInput>([
  ['disputed', { status: 'disputed', value: null }],
  ['restricted', { status: 'restricted', value: null }],
]);

/** The position–value pairs of `scoreListInputs`, by indicator code. */
function figureMap(indicators: string[], json: string | null): Map<string, FigureInput> {
  const figures = new Map<string, FigureInput>();
  if (json === null) return figures;
  const pairs = JSON.parse(json) as (number | string)[];
  for (let i = 0; i < pairs.length; i += 2) {
    const value = pairs[i + 1]!;
    figures.set(indicators[(pairs[i] as number) - 1]!, NOT_USED.get(value) ?? { status: 'final', value: value as number });
  }
  return figures;
}

/**
 * Official scores of some regions for one period, as loaded now or by `asOf`. A reload
 * replaces the row (no history), so at an `asOf` before the last load the score then shown
 * is not known and none is returned, rather than a value that was not there yet.
 */
export function officialScores(db: Kysely<DB>, regions: string[], period: string, asOf: string | undefined) {
  if (regions.length === 0) return Promise.resolve([]);
  let q = db
    .selectFrom('ikesos_official_scores')
    .select(['region_code', sql<string>`score::text`.as('score'), 'category', 'source', 'loaded_at'])
    .where(sql<boolean>`region_code = any(${regions}::text[])`)
    .where('period', '=', period);
  if (asOf) q = q.where(sql<boolean>`loaded_at <= ${asOf}::timestamptz`);
  return q.execute();
}

export async function upsertOfficialScores(db: Kysely<DB>, source: string, actor: string, scores: { region: string; period: string; score: number; category?: string | undefined }[]) {
  await sql`
    insert into ikesos_official_scores (region_code, period, score, category, source, loaded_by)
    select s.region_code, s.period, s.score::numeric, s.category, ${source}, ${actor}
    from unnest(${scores.map((s) => s.region)}::text[], ${scores.map((s) => s.period)}::text[], ${scores.map((s) => String(s.score))}::text[], ${scores.map((s) => s.category ?? null)}::text[])
      as s(region_code, period, score, category)
    on conflict (region_code, period) do update
      set score = excluded.score, category = excluded.category, source = excluded.source, loaded_by = excluded.loaded_by, loaded_at = now()`.execute(db);
}
