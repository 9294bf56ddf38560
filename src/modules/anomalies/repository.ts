import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Disaggregation } from '../../domain/finding.js';
import { effectiveRules, type QualityRules, type QualityRulesPatch } from '../../domain/quality-rules.js';
import type { GroupCount, GroupSlice, PointSlice, RegionCount, SeriesSlice } from './point-slice.js';
import { placedPoint, RegionPlace } from './region-place.js';
import type { HistoryPoint, PushedPoint, StoredFigure } from './version-anomalies.js';

/** The statuses whose figures count as an agency's history: not rejected, not returned. */
export const LIVE_STATUSES = ['submitted', 'verified', 'published'] as const;

export async function versionIndicators(db: Kysely<DB>, versionId: string) {
  return db
    .selectFrom('indicators')
    .select(['code', 'measure', 'unit'])
    .where(({ exists, selectFrom }) =>
      exists(selectFrom('observations').select(sql`1`.as('one')).whereRef('observations.indicator_code', '=', 'indicators.code').where('observations.version_id', '=', versionId)),
    )
    .orderBy('code')
    .execute();
}

export async function storedQualityRules(db: Kysely<DB>, code: string) {
  return db.selectFrom('quality_rules').selectAll().where('indicator_code', '=', code).executeTakeFirst();
}

export async function loadQualityRules(db: Kysely<DB>, codes: string[]): Promise<Map<string, QualityRules>> {
  const rows = codes.length === 0 ? [] : await db.selectFrom('quality_rules').select(['indicator_code', 'config']).where('indicator_code', 'in', codes).execute();
  const stored = new Map(rows.map((r) => [r.indicator_code, r.config as QualityRulesPatch]));
  return new Map(codes.map((c) => [c, effectiveRules(stored.get(c))]));
}

export async function saveQualityRules(db: Kysely<DB>, code: string, config: QualityRulesPatch, actor: string) {
  await db
    .insertInto('quality_rules')
    .values({ indicator_code: code, config: JSON.stringify(config), updated_by: actor })
    .onConflict((oc) => oc.column('indicator_code').doUpdateSet({ config: JSON.stringify(config), updated_by: actor, updated_at: sql`now()` }))
    .execute();
}

/**
 * The population of a region nearest a year, of the given sex (`L`, `P`; anything else is the
 * total), for a lateral join: the one rule for pushed points and published figures alike.
 */
function nearestPopulation(region: RawBuilder<unknown>, year: RawBuilder<unknown>, sex: RawBuilder<unknown>) {
  return sql`(
      select case ${sex} when 'L' then p.male when 'P' then p.female else p.total end as population, p.year
      from populations p
      where p.region_code = ${region}
      order by abs(p.year - ${year}), p.year desc
      limit 1
    )`;
}

/**
 * The region facts and nearest populations of every region the push reports, once per push:
 * looked up per observation and indicator, they were most of the detectors' query time.
 * Held per distinct region × year × sex, so bounded by the reference data, not by the push.
 */
export async function pushPlaces(db: Kysely<DB>, versionId: string): Promise<ReadonlyMap<string, RegionPlace>> {
  const { rows } = await sql<{ region_code: string; year: number; sex: string; level: number; parent_code: string | null; population: string | null; population_year: number | null }>`
    with wanted as (
      select distinct o.region_code, substr(o.period, 1, 4)::int as year,
        case when o.disagg->>'sex' in ('L', 'P') then o.disagg->>'sex' else '' end as sex
      from observations o where o.version_id = ${versionId}
    )
    select w.region_code, w.year, w.sex, r.level, r.parent_code, pop.population::text as population, pop.year::int as population_year
    from wanted w
    join regions r on r.code = w.region_code
    left join lateral ${nearestPopulation(sql`w.region_code`, sql`w.year`, sql`w.sex`)} pop on true`.execute(db);
  const regions = new Map<string, RegionPlace>();
  for (const r of rows) {
    let place = regions.get(r.region_code);
    if (!place) regions.set(r.region_code, (place = new RegionPlace(r.level, r.parent_code)));
    place.populations.push({ year: r.year, sex: r.sex, population: r.population === null ? null : { value: Number(r.population), year: r.population_year! } });
  }
  return regions;
}

/** The observations of a slice (the alias `o` names observations): some regions, or some period × breakdown pairs. */
function inSlice(slice: PointSlice) {
  return 'regions' in slice
    ? sql`o.region_code = any(${slice.regions}::text[])`
    : sql`(o.period, o.disagg_key) in (select * from unnest(${slice.periods}::text[], ${slice.disaggKeys}::text[]))`;
}

/** How many points each region of one indicator of the version holds (bounded by the regions). */
export async function regionCounts(db: Kysely<DB>, versionId: string, indicator: string): Promise<RegionCount[]> {
  const { rows } = await sql<RegionCount>`
    select o.region_code as region, count(*)::int as n from observations o
    where o.version_id = ${versionId} and o.indicator_code = ${indicator}
    group by o.region_code`.execute(db);
  return rows;
}

/** How many points each period × breakdown pair of one indicator of the version holds. */
export async function groupCounts(db: Kysely<DB>, versionId: string, indicator: string): Promise<GroupCount[]> {
  const { rows } = await sql<GroupCount>`
    select o.period, o.disagg_key as "disaggKey", count(*)::int as n from observations o
    where o.version_id = ${versionId} and o.indicator_code = ${indicator}
    group by o.period, o.disagg_key`.execute(db);
  return rows;
}

/** The pushed observations of one slice of one indicator, placed with the push's region facts and populations. */
export async function pushedPoints(db: Kysely<DB>, versionId: string, indicator: string, places: ReadonlyMap<string, RegionPlace>, slice: PointSlice): Promise<PushedPoint[]> {
  // A total's breakdown is not sent: one JSON value less to parse per point.
  const { rows } = await sql<{ region_code: string; disagg_key: string; disagg: Disaggregation | null; period: string; value: string; source_row: number | null }>`
    select o.region_code, o.disagg_key, case when o.disagg_key = '' then null else o.disagg end as disagg, o.period, o.value::text as value, o.source_row
    from observations o
    where o.version_id = ${versionId} and o.indicator_code = ${indicator} and ${inSlice(slice)}`.execute(db);
  return rows.map((r) =>
    placedPoint(places, { region: r.region_code, disaggKey: r.disagg_key, disagg: r.disagg ?? {}, period: r.period, value: Number(r.value), row: r.source_row }),
  );
}

/**
 * The indicators that have a final figure anyone could compare a push with: for the others
 * (a first cycle, a new indicator) the peer query would place the whole push for nothing.
 */
export async function indicatorsWithFinalFigures(db: Kysely<DB>, codes: string[]): Promise<Set<string>> {
  if (codes.length === 0) return new Set();
  const { rows } = await sql<{ code: string }>`
    select c.code from unnest(${codes}::text[]) as c(code)
    where exists (
      select 1 from reconciled_figures f
      where f.indicator_code = c.code and f.valid_to is null and f.status = 'final' and f.value is not null)`.execute(db);
  return new Set(rows.map((r) => r.code));
}

/**
 * The indicators of which the agency has live figures from other versions: a first push has
 * no history to read, and looking for it costs a scan of the push per indicator.
 */
export async function indicatorsWithHistory(db: Kysely<DB>, versionId: string, agencyId: string, codes: string[]): Promise<Set<string>> {
  if (codes.length === 0) return new Set();
  const { rows } = await sql<{ code: string }>`
    select c.code from unnest(${codes}::text[]) as c(code)
    where exists (
      select 1 from dataset_versions v
      join datasets d on d.id = v.dataset_id
      join observations o on o.version_id = v.id and o.indicator_code = c.code
      where d.agency_id = ${agencyId} and v.id <> ${versionId} and v.status in (${sql.join([...LIVE_STATUSES])}))`.execute(db);
  return new Set(rows.map((r) => r.code));
}

/**
 * The agency's latest earlier figure for each period of every series the version touches (one
 * indicator, the regions of one slice), from any of its datasets' live versions: every period
 * from the `lookback`-th before the series' first pushed one (seriesLookback), and none
 * earlier, so the cost of a push does not grow with the years behind it. The earliest point
 * of a series that has older periods says so (`earlierUnread`).
 */
export async function seriesHistory(db: Kysely<DB>, versionId: string, agencyId: string, indicator: string, slice: SeriesSlice, lookback: number): Promise<HistoryPoint[]> {
  // The agency's live observations of one series `s`, as `o`; `live.ids` lists its live versions, latest first.
  const ofSeries = sql`observations o
        where o.indicator_code = ${indicator} and o.region_code = s.region_code and o.disagg_key = s.disagg_key and o.version_id = any(live.ids)`;
  // Per series, lateral subqueries with `limit` and `distinct on`: index range scans of
  // observations_series_idx, which a planner with stale statistics cannot turn into a scan of
  // the indicator's whole history. Materialized, so each runs once per series.
  const { rows } = await sql<{ region_code: string; disagg_key: string; period: string; value: string; earlier_unread: boolean }>`
    with live as materialized (
      select coalesce(array_agg(v.id order by v.submitted_at desc, v.version desc), '{}') as ids
      from dataset_versions v join datasets d on d.id = v.dataset_id
      where d.agency_id = ${agencyId} and v.id <> ${versionId} and v.status in (${sql.join([...LIVE_STATUSES])})
    ),
    series as materialized (
      select m.region_code, m.disagg_key, min(m.period) as first
      from observations m
      where m.version_id = ${versionId} and m.indicator_code = ${indicator} and m.region_code = any(${slice.regions}::text[])
      group by m.region_code, m.disagg_key
    ),
    bounds as materialized (
      select s.region_code, s.disagg_key, coalesce(b.periods[least(cardinality(b.periods), ${lookback}::int)], s.first) as from_period,
             cardinality(b.periods) > ${lookback}::int as cut
      from series s
      cross join live
      cross join lateral (
        -- offset 0: the subquery stays one, so the array is made once, not once per use of it.
        select array(select distinct o.period from ${ofSeries} and o.period < s.first order by o.period desc limit ${lookback + 1}::int) as periods offset 0
      ) b
    )
    select s.region_code, s.disagg_key, h.period, h.value::text as value, s.cut and h.period = s.from_period as earlier_unread
    from bounds s
    cross join live
    cross join lateral (
      select distinct on (o.period) o.period, o.value
      from ${ofSeries} and o.period >= s.from_period
      order by o.period, array_position(live.ids, o.version_id)
    ) h`.execute(db);
  return rows.map((r) => ({ region: r.region_code, disaggKey: r.disagg_key, period: r.period, value: Number(r.value), ...(r.earlier_unread ? { earlierUnread: true } : {}) }));
}

export async function childCounts(db: Kysely<DB>, parents: string[]): Promise<Map<string, number>> {
  if (parents.length === 0) return new Map();
  const rows = await db
    .selectFrom('regions')
    .select(['parent_code', sql<number>`count(*)::int`.as('n')])
    .where(sql<boolean>`parent_code = any(${parents}::text[])`)
    .groupBy('parent_code')
    .execute();
  return new Map(rows.map((r) => [r.parent_code!, r.n]));
}

/**
 * The figures served now (reconciled, final) for the regions around the push — siblings,
 * children and parents of its regions — for the periods and breakdowns it covers, except
 * the keys the push itself reports: what its values are compared with beyond the push.
 * Final figures only: a disputed key has no agreed value to compare with. One statement
 * per slice of period × breakdown pairs of one indicator.
 */
export async function storedFigures(db: Kysely<DB>, versionId: string, indicator: string, slice: GroupSlice): Promise<StoredFigure[]> {
  const { rows } = await sql<{
    region_code: string;
    level: number;
    parent_code: string | null;
    disagg_key: string;
    period: string;
    value: string;
    population: string | null;
    method: string | null;
    agency: string | null;
    dataset_id: string | null;
    version: number | null;
  }>`
    with pushed as (
      select o.region_code, o.period, o.disagg_key, r.parent_code
      from observations o join regions r on r.code = o.region_code
      where o.version_id = ${versionId} and o.indicator_code = ${indicator} and ${inSlice(slice)}
    ),
    near as (
      select r.code from regions r where r.parent_code in (select parent_code from pushed)
      union select r.code from regions r where r.parent_code is null and exists (select 1 from pushed where parent_code is null)
      union select r.code from regions r where r.parent_code in (select region_code from pushed)
      union select parent_code from pushed where parent_code is not null
    ),
    groups as (select distinct period, disagg_key from pushed)
    select f.region_code, r.level, r.parent_code, f.disagg_key, f.period, f.value::text as value, pop.population::text as population,
           f.method, sa.code as agency, sv.dataset_id::text as dataset_id, sv.version
    from near n
    cross join groups g
    -- One lookup of the current figures' index per key (a key has at most one): however many
    -- periods the indicator has behind it, and whatever the planner's statistics say.
    cross join lateral (
      select * from reconciled_figures f
      where f.indicator_code = ${indicator} and f.period = g.period and f.region_code = n.code and f.disagg_key = g.disagg_key and f.valid_to is null
      limit 1
    ) f
    join regions r on r.code = f.region_code
    left join dataset_versions sv on sv.id = f.source_version_id
    left join datasets sd on sd.id = sv.dataset_id
    left join agencies sa on sa.id = sd.agency_id
    left join lateral ${nearestPopulation(sql`f.region_code`, sql`substr(f.period, 1, 4)::int`, sql`f.disagg->>'sex'`)} pop on true
    where f.status = 'final' and f.value is not null
      and not exists (select 1 from pushed m where m.region_code = f.region_code and m.period = f.period and m.disagg_key = f.disagg_key)`.execute(db);
  return rows.map((r) => ({
    region: r.region_code,
    level: r.level,
    parent: r.parent_code,
    disaggKey: r.disagg_key,
    period: r.period,
    value: Number(r.value),
    population: r.population === null ? null : Number(r.population),
    source: { kind: 'reconciled', method: r.method, agency: r.agency, dataset_id: r.dataset_id, version: r.version },
  }));
}
