import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { DB } from '../../db/schema.js';
import { changeFeedHorizon, consumerVisible, isoText, servedAsOf } from '../reconciliation/repository.js';

export interface FigureFilter {
  indicators?: string[] | undefined;
  region?: string | undefined;
  /** Any of these regions (SDMX keys name several). */
  regions?: string[] | undefined;
  level?: number | undefined;
  /** Strictly inside this region (all its descendants). */
  within?: string | undefined;
  period?: string | undefined;
  periodFrom?: string | undefined;
  periodTo?: string | undefined;
  /** `total`: only figures without a breakdown. */
  totalOnly?: boolean | undefined;
  disagg?: Record<string, string> | undefined;
  /** Per breakdown dimension, the codes wanted; `''` is the total of that dimension. */
  disaggIn?: Record<string, string[]> | undefined;
  status?: string | undefined;
  /** Only figures served since after this instant (SDMX updatedAfter). */
  changedAfter?: string | undefined;
  /** Figures as served at this instant; current ones when absent. */
  asOf?: string | undefined;
  /** Consumers never see a figure whose value comes from a closed (tertutup) dataset, nor one only closed datasets support. */
  hideClosed: boolean;
}

type Figures = SelectQueryBuilder<DB & { f: DB['reconciled_figures'] }, 'f', object>;

/**
 * Figures with everything a consumer needs to use one without a second call: the
 * indicator's unit, definition and formula, the region's name and level, the source agency.
 */
function selectFigures(db: Kysely<DB>) {
  return db
    .selectFrom('reconciled_figures as f')
    .innerJoin('indicators as i', 'i.code', 'f.indicator_code')
    .innerJoin('regions as r', 'r.code', 'f.region_code')
    .leftJoin('dataset_versions as sv', 'sv.id', 'f.source_version_id')
    .leftJoin('datasets as sd', 'sd.id', 'sv.dataset_id')
    .leftJoin('agencies as sa', 'sa.id', 'sd.agency_id')
    .select([
      sql<string>`f.id::text`.as('id'),
      'f.indicator_code',
      'i.name as indicator_name',
      'i.unit',
      sql<string | null>`i.metadata->>'definisi'`.as('definition'),
      sql<string | null>`i.metadata->>'metode_perhitungan'`.as('formula'),
      'f.region_code',
      'r.name as region_name',
      'r.level as region_level',
      'f.period',
      'f.disagg',
      'f.disagg_key',
      'f.status',
      sql<string | null>`f.value::text`.as('value'),
      'f.method',
      'f.candidates',
      sql<string | null>`f.conflict_id::text`.as('conflict_id'),
      'f.rationale',
      'f.decided_by',
      'f.valid_from',
      'f.valid_to',
      'sa.code as source_agency',
      'sa.name as source_agency_name',
      sql<string | null>`sv.dataset_id::text`.as('source_dataset_id'),
      'sd.title as source_dataset_title',
      'sv.version as source_version',
      'sv.published_at as source_published_at',
    ]);
}

export type FigureRow = Awaited<ReturnType<typeof listFigures>>[number];

/** Figures served at `asOf`, or now. */
function servedAt<Q extends Figures>(q: Q, asOf: string | undefined): Q {
  return (q as Figures).where(servedAsOf(asOf)) as Q;
}

function applyFilter<Q extends Figures>(q: Q, f: Omit<FigureFilter, 'asOf'>): Q {
  let out = q as Figures;
  if (f.indicators?.length) out = out.where('f.indicator_code', 'in', f.indicators);
  if (f.region) out = out.where('f.region_code', '=', f.region);
  if (f.regions) out = out.where(sql<boolean>`f.region_code = any(${f.regions}::text[])`);
  if (f.within) out = out.where('f.region_code', 'like', `${f.within}.%`);
  if (f.level !== undefined) out = out.where(sql<boolean>`r.level = ${f.level}`);
  if (f.period) out = out.where('f.period', '=', f.period);
  if (f.periodFrom) out = out.where('f.period', '>=', f.periodFrom);
  if (f.periodTo) out = out.where(sql<boolean>`f.period <= ${f.periodTo} || '~'`); // '~' sorts after every period suffix: 2025 covers 2025-Q4
  if (f.totalOnly) out = out.where('f.disagg_key', '=', '');
  for (const [dimension, code] of Object.entries(f.disagg ?? {})) out = out.where(sql<boolean>`f.disagg->>${dimension} = ${code}`);
  for (const [dimension, codes] of Object.entries(f.disaggIn ?? {})) out = out.where(sql<boolean>`coalesce(f.disagg->>${dimension}, '') = any(${codes}::text[])`);
  if (f.changedAfter) out = out.where(sql<boolean>`f.valid_from > ${f.changedAfter}::timestamptz`);
  if (f.status) out = out.where('f.status', '=', f.status);
  if (f.hideClosed) out = out.where(consumerVisible('f', 'sd'));
  return out as Q;
}

/** Keyset order of the current-figure index: indicator, period, region, breakdown. */
export type FigureCursor = [string, string, string, string];

export function listFigures(db: Kysely<DB>, f: FigureFilter & { after?: FigureCursor | undefined; limit: number }) {
  let q = applyFilter(servedAt(selectFigures(db), f.asOf), f)
    .orderBy('f.indicator_code')
    .orderBy('f.period')
    .orderBy('f.region_code')
    .orderBy('f.disagg_key')
    .limit(f.limit + 1);
  if (f.after) {
    const [indicator, period, region, disagg] = f.after;
    q = q.where(sql<boolean>`(f.indicator_code, f.period, f.region_code, f.disagg_key) > (${indicator}, ${period}, ${region}, ${disagg})`);
  }
  return q.execute();
}

export function figureSeries(db: Kysely<DB>, f: FigureFilter) {
  return applyFilter(servedAt(selectFigures(db), f.asOf), f).orderBy('f.period').orderBy('f.disagg_key').limit(5000).execute();
}

/**
 * A change-feed entry: `entry` is its JSON as the API serves it (kind, at, and the figure as
 * presentFigure shows it, or only the key when withdrawn), stored when it was written
 * (migration 0023), so a page is sent without building anything per change; the rest is what
 * webhooks file it under.
 */
export interface ChangeRow {
  seq: string;
  kind: string;
  visible: boolean;
  indicator_code: string;
  region_code: string;
  entry: string;
}

/**
 * The change feed after `since` (a sequence number), oldest first, with each change's figure
 * as written then. `visible` is false only for consumers, on a change that hides from them a
 * figure they could see until then (its value now comes from a closed dataset): the route
 * reports it as withdrawn, so a consumer syncing from the feed drops the stale value instead
 * of keeping it forever. Changes a consumer may not see, after a figure it could not see
 * either, are left out: they would only reveal that a closed dataset reported the key.
 *
 * A reclassified dataset's figures are written again unchanged (a re-announcement). To
 * consumers it is withdrawn when the figure is hidden from them now and carries it otherwise,
 * and the figure's earlier entry is left out: replaying from any cursor then delivers the
 * figure once, at its latest announcement, and a consumer that synced before the change gets
 * exactly the entry that brings it up to date. Everyone else saw nothing change: they do
 * not get re-announcements.
 *
 * All of that, and each entry's JSON with the labels of the time, is decided when entries are
 * written (migrations 0019 and 0023, writeFigures, refreshConsumerVisibility): a page is one
 * range of an index of the feed, per indicator asked for, whatever the feed's length, and only
 * entries below the horizon of writers still in flight (changeFeedHorizon), so a cursor never
 * passes a change that commits later. test/modules/figures/reconcile-and-pull.test.ts
 * compares the entries with what /v1/figures serves.
 */
export async function listChanges(db: Kysely<DB>, f: { since: string; limit: number; hideClosed: boolean; indicators?: string[] | undefined }): Promise<ChangeRow[]> {
  const horizon = await changeFeedHorizon(db);
  // The horizon bounds the page outside the ordered, limited scan: as a second bound inside it,
  // a planner without fresh statistics took the range for a few rows and read and sorted all
  // of it (every change after the cursor, a backlog of them) to return one page.
  const after = sql`c.seq > ${f.since}::bigint and ${f.hideClosed ? sql`c.consumer_listed` : sql`not c.unchanged`}`;
  const visible = f.hideClosed ? sql`c.consumer_visible` : sql`true`;
  // Withdrawn entries are few and small: only their key, built here.
  const entry = f.hideClosed
    ? sql`case when c.consumer_visible then c.entry else json_build_object('kind', 'withdrawn', 'at', ${isoText(sql`c.at`)}, 'figure', json_build_object(
        'indicator', c.indicator_code, 'region', c.region_code, 'period', c.period, 'disaggregation', c.disagg))::text end`
    : sql`c.entry`;
  const columns = sql`c.seq::text as seq, c.kind, ${visible} as visible, c.indicator_code, c.region_code, ${entry} as entry`;
  const { rows } = f.indicators?.length
    ? await sql<ChangeRow>`
      select c.seq, c.kind, c.visible, c.indicator_code, c.region_code, c.entry from unnest(${[...new Set(f.indicators)]}::text[]) as i(code)
      cross join lateral (select c.seq as n, ${columns} from figure_changes c where c.indicator_code = i.code and ${after} order by c.seq limit ${f.limit + 1}) c
      where c.n < ${horizon}::bigint
      order by c.n limit ${f.limit + 1}`.execute(db)
    : await sql<ChangeRow>`
      select c.seq, c.kind, c.visible, c.indicator_code, c.region_code, c.entry
      from (select c.seq as n, ${columns} from figure_changes c where ${after} order by c.seq limit ${f.limit + 1}) c
      where c.n < ${horizon}::bigint
      order by c.n`.execute(db);
  return rows;
}

/** Dataset classifications of the datasets candidates come from, to hide what a consumer may not see. */
export async function datasetClassifications(db: Kysely<DB>, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('datasets')
    .select([sql<string>`id::text`.as('id'), sql<string>`coalesce(metadata->>'access_classification', 'terbuka')`.as('access')])
    .where(sql<boolean>`id = any(${ids}::uuid[])`)
    .execute();
  return new Map(rows.map((r) => [r.id, r.access]));
}

/**
 * What a page of figures depends on beyond the request: the last figure change (publishing,
 * resolving, reopening, reclassifying all write one) and the last edit of the labels a figure
 * carries (indicator, dataset, agency). Pages are filed under it while no change notifications arrive (see db/change-signals.ts).
 */
export async function figuresState(db: Kysely<DB>): Promise<string> {
  const { rows } = await sql<{ state: string }>`
    select concat_ws('/',
      (select max(seq) from figure_changes),
      (select max(updated_at) from indicators),
      (select max(updated_at) from datasets),
      (select max(updated_at) from agencies)) as state`.execute(db);
  return rows[0]!.state;
}
