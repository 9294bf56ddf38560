import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

function selectCycles(db: Kysely<DB>) {
  return db
    .selectFrom('cycles')
    .select([
      sql<string>`id::text`.as('id'),
      'name',
      'region_code',
      'reference_periods',
      'time_zone',
      // Dates as text: the drivers would turn them into midnights of the server's zone.
      sql<string>`opens_on::text`.as('opens_on'),
      sql<string>`deadline::text`.as('deadline'),
      sql<string>`original_deadline::text`.as('original_deadline'),
      'milestones',
      'status',
      'closed_at',
      'created_by',
      'created_at',
      'updated_at',
    ]);
}

export type CycleRow = Awaited<ReturnType<typeof findCycle>> & object;

export function findCycle(db: Kysely<DB>, id: string, options: { forUpdate?: boolean } = {}) {
  const q = selectCycles(db).where('id', '=', id);
  return (options.forUpdate ? q.forUpdate() : q).executeTakeFirst();
}

export function listCycles(db: Kysely<DB>, f: { status?: string | undefined; before?: string | undefined; limit: number }) {
  let q = selectCycles(db).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit + 1);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.before) q = q.where(sql<boolean>`(created_at, id::text) < (select created_at, id::text from cycles where id::text = ${f.before})`);
  return q.execute();
}

export async function insertCycle(
  db: Kysely<DB>,
  v: { name: string; region_code: string; reference_periods: string[]; time_zone: string; opens_on: string; deadline: string; milestones: object; status: string; created_by: string },
) {
  const row = await db
    .insertInto('cycles')
    .values({ ...v, original_deadline: v.deadline, milestones: JSON.stringify(v.milestones), closed_at: v.status === 'closed' ? sql`now()` : null })
    .returning(sql<string>`id::text`.as('id'))
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateCycle(db: Kysely<DB>, id: string, v: { name: string; reference_periods: string[]; opens_on: string; deadline: string; milestones: object; status: string }) {
  await db
    .updateTable('cycles')
    // Closing records when (kept while it stays closed); reopening clears it.
    .set({ ...v, milestones: JSON.stringify(v.milestones), closed_at: sql`case when ${v.status} = 'closed' then coalesce(closed_at, now()) end`, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

export interface ObligationInput {
  agency_id: string;
  indicator_code: string;
  region_code: string;
  scope_level: number | null;
  disaggregations: string[];
  disagg_keys: string[];
}

/** Adds obligations; one already there (same agency, indicator and scope) is left as it is. */
export async function insertObligations(db: Kysely<DB>, cycleId: string, items: readonly ObligationInput[], actor: string): Promise<number> {
  if (items.length === 0) return 0;
  const col = <T>(f: (i: ObligationInput) => T) => items.map(f);
  const { rows } = await sql<{ id: string }>`
    insert into obligations (cycle_id, agency_id, indicator_code, region_code, scope_level, disaggregations, disagg_keys, created_by)
    select ${cycleId}::uuid, t.agency_id::uuid, t.indicator_code, t.region_code, t.scope_level,
           array(select jsonb_array_elements_text(t.disaggregations::jsonb)), array(select jsonb_array_elements_text(t.disagg_keys::jsonb)), ${actor}
    from unnest(${col((i) => i.agency_id)}::text[], ${col((i) => i.indicator_code)}::text[], ${col((i) => i.region_code)}::text[],
                ${col((i) => i.scope_level)}::smallint[], ${col((i) => JSON.stringify(i.disaggregations))}::text[], ${col((i) => JSON.stringify(i.disagg_keys))}::text[])
      as t(agency_id, indicator_code, region_code, scope_level, disaggregations, disagg_keys)
    on conflict do nothing
    returning id::text as id`.execute(db);
  return rows.length;
}

export function listObligations(db: Kysely<DB>, f: { cycleId?: string | undefined; agencyId?: string | undefined }) {
  let q = db
    .selectFrom('obligations as o')
    .innerJoin('agencies as a', 'a.id', 'o.agency_id')
    .select([sql<string>`o.id::text`.as('id'), sql<string>`o.cycle_id::text`.as('cycle_id'), 'a.code as agency', 'o.indicator_code', 'o.region_code', 'o.scope_level', 'o.disaggregations', 'o.created_at'])
    .orderBy('a.code')
    .orderBy('o.indicator_code')
    .orderBy('o.id');
  if (f.cycleId) q = q.where('o.cycle_id', '=', f.cycleId);
  if (f.agencyId) q = q.where('o.agency_id', '=', f.agencyId);
  return q.execute();
}

/**
 * Every expected cell of a cycle with its first delivery (a live version of the agency
 * holding an observation for it) and whether its key is in conflict: one statement.
 */
export async function expectedCells(db: Kysely<DB>, cycleId: string, agencyId?: string) {
  const { rows } = await sql<{
    agency: string;
    agency_name: string;
    indicator: string;
    region: string;
    period: string;
    disagg_key: string;
    delivered_at: Date | null;
    conflict: 'none' | 'open' | 'resolved';
    final: boolean;
  }>`
    with cells as (
      select o.agency_id, o.indicator_code, r.code as region_code, p.period, k.disagg_key
      from obligations o
      join cycles c on c.id = o.cycle_id
      join regions r on (o.scope_level is null and r.code = o.region_code)
                     or (o.scope_level is not null and r.level = o.scope_level and r.code like o.region_code || '.%')
      cross join unnest(c.reference_periods) as p(period)
      cross join unnest(o.disagg_keys) as k(disagg_key)
      where o.cycle_id = ${cycleId}::uuid ${agencyId ? sql`and o.agency_id = ${agencyId}::uuid` : sql``}
    )
    select a.code as agency, a.name as agency_name, cells.indicator_code as indicator, cells.region_code as region, cells.period, cells.disagg_key,
      (select min(v.submitted_at)
         from observations ob
         join dataset_versions v on v.id = ob.version_id
         join datasets d on d.id = v.dataset_id
        where ob.indicator_code = cells.indicator_code and ob.region_code = cells.region_code and ob.disagg_key = cells.disagg_key
          and ob.period = cells.period and d.agency_id = cells.agency_id and v.status <> 'rejected') as delivered_at,
      coalesce((select cf.status from conflicts cf
                 where cf.indicator_code = cells.indicator_code and cf.region_code = cells.region_code
                   and cf.period = cells.period and cf.disagg_key = cells.disagg_key), 'none') as conflict,
      exists (select 1 from reconciled_figures f
               where f.indicator_code = cells.indicator_code and f.region_code = cells.region_code and f.period = cells.period
                 and f.disagg_key = cells.disagg_key and f.valid_to is null and f.status = 'final') as final
    from cells join agencies a on a.id = cells.agency_id
    order by a.code, cells.indicator_code, cells.region_code, cells.period, cells.disagg_key`.execute(db);
  return rows;
}

/**
 * Review quality of the versions an agency pushed for this cycle: since the cycle opened
 * (an explicit instant, not a date in the session's zone), holding at least one observation
 * of an indicator and reference period the agency owes in it. No end: late deliveries and
 * corrections are still this cycle's data, and next cycle's periods do not match.
 */
export async function versionQuality(db: Kysely<DB>, cycleId: string, opensAt: Date) {
  const { rows } = await sql<{ agency: string; versions: number; rejected: number; returned: number; rows: number; errors: number; warnings: number; metadata: number | null }>`
    select a.code as agency, count(*)::int as versions,
           count(*) filter (where v.status = 'rejected')::int as rejected, count(*) filter (where v.status = 'returned')::int as returned,
           coalesce(sum(v.row_count), 0)::int as rows, coalesce(sum(v.error_count), 0)::int as errors, coalesce(sum(v.warning_count), 0)::int as warnings,
           round(avg(v.metadata_score))::int as metadata
    from dataset_versions v join datasets d on d.id = v.dataset_id join agencies a on a.id = d.agency_id
    where v.submitted_at >= ${opensAt.toISOString()}::timestamptz
      and exists (select 1 from obligations o join cycles c on c.id = o.cycle_id
                  join observations ob on ob.version_id = v.id and ob.indicator_code = o.indicator_code and ob.period = any(c.reference_periods)
                  where o.cycle_id = ${cycleId}::uuid and o.agency_id = d.agency_id)
    group by a.code`.execute(db);
  return new Map(rows.map((r) => [r.agency, r]));
}

/** When the last expected key got its final figure, or null while any is not final. */
export async function finalisedAt(db: Kysely<DB>, cycleId: string): Promise<Date | null> {
  const { rows } = await sql<{ missing: number; last: Date | null }>`
    with keys as (
      select distinct o.indicator_code, r.code as region_code, p.period, k.disagg_key
      from obligations o
      join cycles c on c.id = o.cycle_id
      join regions r on (o.scope_level is null and r.code = o.region_code)
                     or (o.scope_level is not null and r.level = o.scope_level and r.code like o.region_code || '.%')
      cross join unnest(c.reference_periods) as p(period)
      cross join unnest(o.disagg_keys) as k(disagg_key)
      where o.cycle_id = ${cycleId}::uuid
    )
    select count(*) filter (where f.id is null)::int as missing, max(f.valid_from) as last
    from keys
    left join reconciled_figures f on f.indicator_code = keys.indicator_code and f.region_code = keys.region_code and f.period = keys.period
      and f.disagg_key = keys.disagg_key and f.valid_to is null and f.status = 'final'`.execute(db);
  const row = rows[0];
  return row && row.missing === 0 && row.last ? row.last : null;
}

/** Agencies in the cycle's region whose kind produces the indicator: the catalogue's source agencies. */
export function catalogueSources(db: Kysely<DB>, region: string, indicators: string[] | undefined) {
  let q = db
    .selectFrom('indicators as i')
    .innerJoin('agencies as a', (j) => j.on(sql<boolean>`a.kind = any(i.source_agency_kinds)`))
    .select(['i.code as indicator_code', sql<string>`a.id::text`.as('agency_id'), 'a.code as agency'])
    .where('a.jurisdiction_region_code', '=', region)
    .orderBy('i.code')
    .orderBy('a.code');
  q = indicators?.length ? q.where('i.code', 'in', indicators) : q.where('i.group', '=', 'ikesos');
  return q.execute();
}

/** Open cycles in which the agency has obligations. */
export function openCyclesOfAgency(db: Kysely<DB>, agencyId: string) {
  return db
    .selectFrom('cycles')
    .select([sql<string>`id::text`.as('id'), 'name', sql<string>`deadline::text`.as('deadline'), 'time_zone', 'status'])
    .where('status', '=', 'open')
    .where(({ exists, selectFrom }) => exists(selectFrom('obligations').select(sql`1`.as('one')).whereRef('obligations.cycle_id', '=', 'cycles.id').where('obligations.agency_id', '=', agencyId)))
    .execute();
}
