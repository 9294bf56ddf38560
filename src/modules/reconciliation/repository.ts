import { sql, type Kysely, type RawBuilder } from 'kysely';
import { REGION_LEVELS } from '../../domain/region-code.js';
import type { DB } from '../../db/schema.js';
import type { Candidate, FigureMethod, ReconciliationPolicy, ScopedPolicy } from './policy.js';
import { effectivePolicy } from './policy.js';

/** A key of the figure table: indicator × region × period × breakdown. */
export interface FigureKey {
  indicator_code: string;
  region_code: string;
  period: string;
  disagg_key: string;
}

export const keyString = (k: FigureKey) => [k.indicator_code, k.region_code, k.period, k.disagg_key].join('\u001f');

// The first key of the two-key advisory locks of figure writers of one indicator.
const INDICATOR_LOCK_SPACE = 7_110_002;

/*
 * Change-feed order without writers taking turns. Sequence numbers are taken when a change is
 * written, not when it commits, so a reader could pass a number that commits later. Each
 * writing transaction therefore holds, until it ends, a shared advisory lock keyed by a number
 * no greater than any it will take; a reader reads only below the smallest such key (and below
 * the next number not yet taken). Nothing waits on these locks: a writer never blocks another,
 * and a long transaction only holds readers back at its first change until it commits.
 * Keys are FEED_WRITER_KEY + seq: bigint advisory keys whose high half lies in
 * [2^30, 2^31), where no other lock of the service (small constants, hashtext) can fall.
 */
const FEED_WRITER_KEY = 2n ** 62n;

/**
 * Registers the transaction as a change-feed writer, once (later calls are no-ops); writeFigures
 * calls it before it takes a sequence number, so every figure writer does.
 */
export async function enterChangeFeed(db: Kysely<DB>) {
  // The sequence's last value is read before the lock is taken, and the numbers this
  // transaction takes come after both: the key is at most any of them.
  await sql`
    select pg_advisory_xact_lock_shared(${FEED_WRITER_KEY.toString()}::bigint + s.last_value), set_config('sde.feed_writer', 'on', true)
    from figure_changes_seq_seq s
    where current_setting('sde.feed_writer', true) is distinct from 'on'`.execute(db);
}

/**
 * The first change-feed sequence number a reader may not read yet: every number below it has
 * committed or never will. Run it in its own statement before reading the feed: a writer that
 * commits after it is read took numbers at or above it.
 */
export async function changeFeedHorizon(db: Kysely<DB>): Promise<string> {
  // The next number is read before the writers' keys; a writer that took a number below it
  // had already registered, so it is either among the keys or committed. Advisory locks are
  // per database but pg_locks shows every database's: another database of the server (its
  // own feed writers) must not hold this one's readers back.
  const { rows } = await sql<{ horizon: string }>`
    with s as materialized (select case when is_called then last_value + 1 else last_value end as next from figure_changes_seq_seq)
    select least(s.next, (
      select min(((l.classid::bigint << 32) | l.objid::bigint) - ${FEED_WRITER_KEY.toString()}::bigint)
      from pg_locks l
      where l.locktype = 'advisory' and l.objsubid = 1 and l.classid >= 1073741824 and l.classid < 2147483648 and s.next is not null
        and l.database = (select oid from pg_database where datname = current_database())
    ))::text as horizon
    from s`.execute(db);
  return rows[0]!.horizon;
}

/**
 * Writers of the figures of the same indicator take turns (a publication, a decision on a
 * conflict); writers of different indicators do not wait for each other. The locks are taken
 * in the order of their keys, whoever takes them, so two writers never deadlock; two
 * indicators whose codes hash alike merely share a lock. The change feed needs no turn of its
 * own (enterChangeFeed).
 */
export async function lockIndicators(db: Kysely<DB>, codes: readonly string[]) {
  // `offset 0` keeps the sorted subquery from being flattened, so the locks are taken in its order.
  await sql`
    select count(pg_advisory_xact_lock(${INDICATOR_LOCK_SPACE}, h))::int as n
    from (select distinct hashtext(c) as h from unnest(${codes}::text[]) as c order by h offset 0) as s`.execute(db);
}

/** lockIndicators for the indicator of one conflict (none when there is no such conflict). */
export async function lockConflictIndicator(db: Kysely<DB>, conflictId: string) {
  await lockIndicators(db, (await db.selectFrom('conflicts').select('indicator_code').where('id', '=', conflictId).execute()).map((r) => r.indicator_code));
}

/** lockIndicators for every indicator: for a change that can touch figures of any of them. */
export async function lockAllIndicators(db: Kysely<DB>) {
  await lockIndicators(db, (await db.selectFrom('indicators').select('code').execute()).map((r) => r.code));
}

export interface KeyCandidates extends FigureKey {
  disagg: Record<string, string>;
  candidates: Candidate[];
}

/**
 * A slice of a version's keys in key order: after `after`, up to and including `upto`. The
 * statements of reconciliation take one at a time, so none handles more than a slice's keys.
 */
export interface KeyRange {
  after: FigureKey;
  upto: FigureKey;
}

/** Before every key: indicator codes are never empty. */
export const FIRST_KEY: FigureKey = { indicator_code: '', region_code: '', period: '', disagg_key: '' };

/** The version's observations `o` whose keys are in `range` (an index range of the primary key). */
function inRange(versionId: string, range: KeyRange) {
  const row = (k: FigureKey) => sql`(${k.indicator_code}::text, ${k.region_code}::text, ${k.period}::text, ${k.disagg_key}::text)`;
  return sql<boolean>`o.version_id = ${versionId} and (o.indicator_code, o.region_code, o.period, o.disagg_key) > ${row(range.after)}
      and (o.indicator_code, o.region_code, o.period, o.disagg_key) <= ${row(range.upto)}`;
}

/** How many keys a version covers. */
export async function versionKeyCount(db: Kysely<DB>, versionId: string): Promise<number> {
  const row = await db.selectFrom('observations').select(sql<number>`count(*)::int`.as('n')).where('version_id', '=', versionId).executeTakeFirstOrThrow();
  return row.n;
}

/** The last of the next `size` keys of a version after `after`; undefined when none is left. */
export async function nextRangeEnd(db: Kysely<DB>, versionId: string, after: FigureKey, size: number): Promise<FigureKey | undefined> {
  const { rows } = await sql<FigureKey>`
    select indicator_code, region_code, period, disagg_key from (
      select o.indicator_code, o.region_code, o.period, o.disagg_key from observations o
      where o.version_id = ${versionId}
        and (o.indicator_code, o.region_code, o.period, o.disagg_key) > (${after.indicator_code}::text, ${after.region_code}::text, ${after.period}::text, ${after.disagg_key}::text)
      order by o.indicator_code, o.region_code, o.period, o.disagg_key
      limit ${size}
    ) as s
    order by indicator_code desc, region_code desc, period desc, disagg_key desc
    limit 1`.execute(db);
  return rows[0];
}

/**
 * Makes the version's observations in `range` its dataset's current published ones (unless a
 * later publication of the dataset already is, for a key) and says which earlier versions of
 * the dataset they take over from, with how many keys: one statement, whose reading of the
 * earlier rows precedes its writing.
 */
export async function publishCandidates(db: Kysely<DB>, versionId: string, range: KeyRange): Promise<{ version: number; keys: number }[]> {
  const { rows } = await sql<{ version: number; keys: number }>`
    with chunk as (
      select o.indicator_code, o.region_code, o.period, o.disagg_key, o.value, o.obs_status, o.note, v.dataset_id, v.version, v.published_at
      from observations o
      join dataset_versions v on v.id = o.version_id
      where ${inRange(versionId, range)}
    ),
    superseded as (
      select p.version
      from chunk c
      join published_candidates p on p.indicator_code = c.indicator_code and p.region_code = c.region_code and p.period = c.period
        and p.disagg_key = c.disagg_key and p.dataset_id = c.dataset_id
      where (p.published_at, p.version) < (c.published_at, c.version)
    ),
    written as (
      insert into published_candidates as p (indicator_code, region_code, period, disagg_key, dataset_id, version_id, version, value, obs_status, note, published_at)
      select indicator_code, region_code, period, disagg_key, dataset_id, ${versionId}::uuid, version, value, obs_status, note, published_at
      from chunk
      on conflict (indicator_code, region_code, period, disagg_key, dataset_id) do update set
        version_id = excluded.version_id, version = excluded.version, value = excluded.value, obs_status = excluded.obs_status,
        note = excluded.note, published_at = excluded.published_at
      where (p.published_at, p.version) < (excluded.published_at, excluded.version)
    )
    select version, count(*)::int as keys from superseded group by version order by version`.execute(db);
  return rows;
}

/**
 * For every key of a version in `range`, each agency's latest published value: the candidates
 * of reconciliation, in one statement. An index lookup of the current published values, however
 * many versions came before (publishCandidates keeps them).
 */
export async function candidatesForVersion(db: Kysely<DB>, versionId: string, range: KeyRange): Promise<KeyCandidates[]> {
  const { rows } = await sql<FigureKey & { disagg: Record<string, string> } & Omit<Candidate, 'published_at'> & { published_at: Date }>`
    select distinct on (o.indicator_code, o.region_code, o.period, o.disagg_key, d.agency_id)
           o.indicator_code, o.region_code, o.period, o.disagg_key, o.disagg, p.value::text as value, p.obs_status, p.note,
           a.code as agency, a.kind as agency_kind, d.agency_id::text as agency_id, p.dataset_id::text as dataset_id, p.version, p.version_id::text as version_id, p.published_at
    from observations o
    join published_candidates p on p.indicator_code = o.indicator_code and p.region_code = o.region_code and p.period = o.period and p.disagg_key = o.disagg_key
    join datasets d on d.id = p.dataset_id
    join agencies a on a.id = d.agency_id
    where ${inRange(versionId, range)}
    order by o.indicator_code, o.region_code, o.period, o.disagg_key, d.agency_id, p.published_at desc, p.version desc`.execute(db);
  const byKey = new Map<string, KeyCandidates>();
  for (const r of rows) {
    const key = keyString(r);
    let entry = byKey.get(key);
    if (!entry) {
      entry = { indicator_code: r.indicator_code, region_code: r.region_code, period: r.period, disagg_key: r.disagg_key, disagg: r.disagg, candidates: [] };
      byKey.set(key, entry);
    }
    entry.candidates.push({
      agency: r.agency,
      agency_kind: r.agency_kind,
      agency_id: r.agency_id,
      dataset_id: r.dataset_id,
      version: r.version,
      version_id: r.version_id,
      value: r.value,
      obs_status: r.obs_status,
      note: r.note,
      published_at: r.published_at.toISOString(),
    });
  }
  return [...byKey.values()];
}

/** Every stored policy (national and regional) of each indicator. */
export async function loadPolicies(db: Kysely<DB>, codes: string[]): Promise<Map<string, ScopedPolicy[]>> {
  const rows =
    codes.length === 0 ? [] : await db.selectFrom('reconciliation_policies').select(['indicator_code', 'region_code', 'config']).where('indicator_code', 'in', codes).execute();
  const byIndicator = new Map<string, ScopedPolicy[]>(codes.map((c) => [c, []]));
  for (const r of rows) byIndicator.get(r.indicator_code)!.push({ region: r.region_code, policy: effectivePolicy(r.config as Partial<ReconciliationPolicy>) });
  return byIndicator;
}

/** The stored policies of an indicator for `region` and every region containing it, and the national one. */
export function storedPolicies(db: Kysely<DB>, code: string, region: string | null) {
  return db
    .selectFrom('reconciliation_policies')
    .selectAll()
    .where('indicator_code', '=', code)
    .where((eb) => (region === null ? eb('region_code', 'is', null) : eb.or([eb('region_code', 'is', null), eb(sql.val(region), '=', eb.ref('region_code')), eb(sql.val(region), 'like', sql<string>`region_code || '.%'`)])))
    .execute();
}

export async function savePolicy(db: Kysely<DB>, code: string, region: string | null, config: ReconciliationPolicy, actor: string) {
  const json = JSON.stringify(config);
  await db
    .insertInto('reconciliation_policies')
    .values({ indicator_code: code, region_code: region, config: json, updated_by: actor })
    .onConflict((oc) => oc.columns(['indicator_code', 'region_code']).doUpdateSet({ config: json, updated_by: actor, updated_at: sql`now()` }))
    .execute();
}

/** Removes a regional policy; true when there was one. */
export async function deletePolicy(db: Kysely<DB>, code: string, region: string): Promise<boolean> {
  const result = await db.deleteFrom('reconciliation_policies').where('indicator_code', '=', code).where('region_code', '=', region).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export type ConflictRow = Awaited<ReturnType<typeof findConflict>> & object;

const CONFLICT_COLUMNS = [
  'conflicts.indicator_code',
  'conflicts.region_code',
  'conflicts.period',
  'conflicts.disagg_key',
  'conflicts.disagg',
  'conflicts.status',
  'conflicts.candidates',
  'conflicts.proposal',
  'conflicts.resolution',
  'conflicts.resolved_by',
  'conflicts.resolved_at',
  'conflicts.opened_at',
  'conflicts.updated_at',
] as const;

function selectConflicts(db: Kysely<DB>) {
  return db.selectFrom('conflicts').select([sql<string>`conflicts.id::text`.as('id'), ...CONFLICT_COLUMNS]);
}

export function findConflict(db: Kysely<DB>, id: string, options: { forUpdate?: boolean } = {}) {
  const q = selectConflicts(db).where('id', '=', id);
  return (options.forUpdate ? q.forUpdate() : q).executeTakeFirst();
}

/** The conflicts of the keys of a version in `range`, locked for this transaction. */
export async function conflictsForVersion(db: Kysely<DB>, versionId: string, range: KeyRange): Promise<Map<string, ConflictRow>> {
  const rows = await db
    .selectFrom('observations as o')
    .innerJoin('conflicts', (j) =>
      j
        .onRef('conflicts.indicator_code', '=', 'o.indicator_code')
        .onRef('conflicts.region_code', '=', 'o.region_code')
        .onRef('conflicts.period', '=', 'o.period')
        .onRef('conflicts.disagg_key', '=', 'o.disagg_key'),
    )
    .select([sql<string>`conflicts.id::text`.as('id'), ...CONFLICT_COLUMNS])
    .where(inRange(versionId, range))
    .forUpdate('conflicts')
    .execute();
  return new Map(rows.map((r) => [keyString(r), r]));
}

export function listConflicts(
  db: Kysely<DB>,
  f: { status?: string | undefined; indicator?: string | undefined; region?: string | undefined; period?: string | undefined; agency?: string | undefined; after?: string | undefined; limit: number },
) {
  let q = selectConflicts(db).orderBy('id').limit(f.limit + 1);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.indicator) q = q.where('indicator_code', '=', f.indicator);
  if (f.region) {
    const region = f.region;
    q = q.where((eb) => eb.or([eb('region_code', '=', region), eb('region_code', 'like', `${region}.%`)]));
  }
  if (f.period) q = q.where('period', '=', f.period);
  if (f.agency) q = q.where(sql<boolean>`candidates @> ${JSON.stringify([{ agency: f.agency }])}::jsonb`);
  if (f.after) q = q.where('id', '>', f.after);
  return q.execute();
}

export interface ConflictState {
  status: 'open' | 'resolved';
  proposal: object | null;
  resolution: object | null;
  resolvedBy: string | null;
}

/**
 * Opens, updates or closes the conflicts of many keys in one statement (one row per key,
 * reopened rather than duplicated); returns each key's conflict id.
 */
export async function saveConflicts(db: Kysely<DB>, items: readonly { key: KeyCandidates; state: ConflictState }[]): Promise<Map<string, string>> {
  if (items.length === 0) return new Map();
  const col = <T>(f: (i: { key: KeyCandidates; state: ConflictState }) => T) => items.map(f);
  const json = (v: object | null) => (v === null ? null : JSON.stringify(v));
  const { rows } = await sql<FigureKey & { id: string }>`
    insert into conflicts as c (indicator_code, region_code, period, disagg_key, disagg, status, candidates, proposal, resolution, resolved_by, resolved_at)
    select t.indicator_code, t.region_code, t.period, t.disagg_key, t.disagg::jsonb, t.status, t.candidates::jsonb, t.proposal::jsonb, t.resolution::jsonb,
           t.resolved_by, case when t.status = 'resolved' then now() end
    from unnest(
      ${col((i) => i.key.indicator_code)}::text[], ${col((i) => i.key.region_code)}::text[], ${col((i) => i.key.period)}::text[],
      ${col((i) => i.key.disagg_key)}::text[], ${col((i) => JSON.stringify(i.key.disagg))}::text[], ${col((i) => i.state.status)}::text[],
      ${col((i) => JSON.stringify(i.key.candidates))}::text[], ${col((i) => json(i.state.proposal))}::text[], ${col((i) => json(i.state.resolution))}::text[],
      ${col((i) => i.state.resolvedBy)}::text[]
    ) as t(indicator_code, region_code, period, disagg_key, disagg, status, candidates, proposal, resolution, resolved_by)
    on conflict (indicator_code, region_code, period, disagg_key) do update set
      status = excluded.status, candidates = excluded.candidates, proposal = excluded.proposal, resolution = excluded.resolution,
      resolved_by = excluded.resolved_by, resolved_at = excluded.resolved_at, updated_at = now(),
      -- A conflict that opens again starts a new clock.
      opened_at = case when c.status = 'resolved' and excluded.status = 'open' then now() else c.opened_at end
    returning c.id::text as id, c.indicator_code, c.region_code, c.period, c.disagg_key`.execute(db);
  return new Map(rows.map((r) => [keyString(r), r.id]));
}

export interface CurrentFigure extends FigureKey {
  status: string;
  value: string | null;
  method: string | null;
  source_version_id: string | null;
}

/** The figures currently served for the keys of a version in `range`. */
export async function currentFiguresForVersion(db: Kysely<DB>, versionId: string, range: KeyRange): Promise<Map<string, CurrentFigure>> {
  const { rows } = await sql<CurrentFigure>`
    select f.indicator_code, f.region_code, f.period, f.disagg_key, f.status, f.value::text as value, f.method, f.source_version_id::text as source_version_id
    from observations o
    join reconciled_figures f on f.indicator_code = o.indicator_code and f.period = o.period and f.region_code = o.region_code and f.disagg_key = o.disagg_key
    where ${inRange(versionId, range)} and f.valid_to is null`.execute(db);
  return new Map(rows.map((r) => [keyString(r), r]));
}

export interface FigureState {
  status: 'final' | 'disputed';
  value: string | null;
  method: FigureMethod | null;
  sourceVersionId: string | null;
  conflictId: string | null;
  rationale: string | null;
  decidedBy: string | null;
}

export type ChangeKind = 'new' | 'revised' | 'disputed' | 'resolved';

export interface FigureWrite {
  key: KeyCandidates;
  state: FigureState;
  kind: ChangeKind;
}

/**
 * Whether two figure rows say the same thing: a rewrite that changed nothing in the figure, as
 * when a dataset's classification changed who may see it (reclassify.ts) or a conflict is
 * resolved again the same way. There is nothing to deliver but, to consumers, a change of
 * visibility.
 */
function sameFigure(a: string, b: string) {
  const col = (c: string) => sql`${sql.ref(`${a}.${c}`)} is not distinct from ${sql.ref(`${b}.${c}`)}`;
  return sql<boolean>`(${sql.join(['status', 'value', 'method', 'source_version_id', 'candidates', 'conflict_id', 'rationale', 'decided_by'].map(col), sql` and `)})`;
}

/** Two rows of the same key (indicator, period, region, breakdown). */
function sameKey(a: string, b: string) {
  const cols = ['indicator_code', 'period', 'region_code', 'disagg_key'];
  return sql<boolean>`${sql.join(cols.map((c) => sql`${sql.ref(`${a}.${c}`)} = ${sql.ref(`${b}.${c}`)}`), sql` and `)}`;
}

/** Whether the figure `f` (an alias of reconciled_figures) was served at `asOf`, or is served now. */
export function servedAsOf(asOf: string | undefined) {
  return asOf ? sql<boolean>`f.valid_from <= ${asOf}::timestamptz and (f.valid_to is null or f.valid_to > ${asOf}::timestamptz)` : sql<boolean>`f.valid_to is null`;
}

/** A timestamp as JavaScript's toISOString writes it (UTC, milliseconds). */
export const isoText = (value: RawBuilder<unknown>) => sql<string>`to_char(${value} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * A change-feed entry as the API serves it: kind, at, and the figure as presentFigure shows
 * it but for the indicator's definition and formula (FeedFigureSchema), from `e`, the entry's figure_changes columns, with the labels of the indicator `i`, the
 * source dataset `d` and its agency `a` as they are when it is written (migration 0023). It
 * is written while the figure is served: it ends in `"valid_to" : null}}` until closedEntry sets it.
 */
function changeEntry(e: string) {
  const c = (column: string) => sql.ref(`${e}.${column}`);
  return sql<string>`json_build_object('kind', ${c('kind')}, 'at', ${isoText(c('at'))}, 'figure', json_build_object(
    'indicator', ${c('indicator_code')}, 'indicator_name', i.name, 'unit', i.unit,
    'region', ${c('region_code')}, 'region_name', ${c('region_name')}, 'region_level', (${[...REGION_LEVELS]}::text[])[${c('region_level')}],
    'period', ${c('period')}, 'disaggregation', ${c('disagg')}, 'status', ${c('status')}, 'value', ${c('value')}::text, 'method', ${c('method')},
    'source', case when a.code is not null and ${c('source_version')} is not null then json_build_object(
      'agency', a.code, 'agency_name', coalesce(a.name, a.code), 'dataset_id', ${c('source_dataset_id')}, 'dataset_title', coalesce(d.title, ''),
      'version', ${c('source_version')}, 'published_at', ${isoText(c('source_published_at'))}) end,
    'conflict_id', ${c('conflict_id')}::text, 'rationale', ${c('rationale')}, 'decided_by', ${c('decided_by')},
    'valid_from', ${isoText(c('valid_from'))}, 'valid_to', null))::text`;
}

/** The columns of a change-feed entry that writeFigures gives, besides its JSON. */
const ENTRY_COLUMNS = [
  'figure_id', 'kind', 'at', 'indicator_code', 'region_code', 'region_name', 'region_level', 'period', 'disagg_key', 'disagg', 'status', 'value',
  'method', 'source_dataset_id', 'source_version', 'source_published_at', 'conflict_id', 'rationale', 'decided_by', 'valid_from',
  'consumer_visible', 'prev_consumer_visible', 'unchanged',
] as const;

/** The entry `entry` of a figure that stopped being served just now: its valid_to, the last value, set to now. */
const closedEntry = (entry: RawBuilder<unknown>) => sql<string>`regexp_replace(${entry}, '(null|"[^"]*")}}$', to_json(${isoText(sql`now()`)})::text || '}}')`;

/**
 * Closes the current figure of every key written and adds the new ones with their
 * change-feed entries, each carrying what a page of the feed shows and who may see it (see
 * migrations 0019 and 0023), and marks the entries of the figures replaced: when they stopped
 * being served and whether the new figure re-announces them. Three statements, whatever the
 * number of keys, after enterChangeFeed.
 */
export async function writeFigures(db: Kysely<DB>, writes: readonly FigureWrite[]) {
  if (writes.length === 0) return;
  await enterChangeFeed(db);
  const col = <T>(f: (w: FigureWrite) => T) => writes.map(f);
  const keys = sql`unnest(${col((w) => w.key.indicator_code)}::text[], ${col((w) => w.key.region_code)}::text[], ${col((w) => w.key.period)}::text[], ${col((w) => w.key.disagg_key)}::text[])`;
  // One index lookup per key, whatever the planner believes: with statistics that lag behind
  // the table (no autovacuum, or not yet), a plain join was planned as a sort of every current
  // figure of the country, which made each publication cost more as the figures grew.
  // `limit 1` (a key has at most one current figure) keeps the lookup from being flattened
  // into such a join.
  await sql`
    update reconciled_figures f set valid_to = now()
    from ${keys} as k(indicator_code, region_code, period, disagg_key)
    cross join lateral (
      select c.id from reconciled_figures c
      where c.indicator_code = k.indicator_code and c.region_code = k.region_code and c.period = k.period and c.disagg_key = k.disagg_key
        and c.valid_to is null
      limit 1
    ) as current
    where f.id = current.id and f.valid_to is null`.execute(db);
  await sql`
    with input as (
      select indicator_code, region_code, period, disagg_key, disagg::jsonb as disagg, status, value::numeric as value, method,
             source_version_id::uuid as source_version_id, candidates::jsonb as candidates, conflict_id::bigint as conflict_id, rationale, decided_by, kind, n
      from unnest(
        ${col((w) => w.key.indicator_code)}::text[], ${col((w) => w.key.region_code)}::text[], ${col((w) => w.key.period)}::text[],
        ${col((w) => w.key.disagg_key)}::text[], ${col((w) => JSON.stringify(w.key.disagg))}::text[], ${col((w) => w.state.status)}::text[],
        ${col((w) => w.state.value)}::text[], ${col((w) => w.state.method)}::text[], ${col((w) => w.state.sourceVersionId)}::text[],
        ${col((w) => JSON.stringify(w.key.candidates))}::text[], ${col((w) => w.state.conflictId)}::text[], ${col((w) => w.state.rationale)}::text[],
        ${col((w) => w.state.decidedBy)}::text[], ${col((w) => w.kind)}::text[]
      ) with ordinality as t(indicator_code, region_code, period, disagg_key, disagg, status, value, method, source_version_id, candidates, conflict_id, rationale, decided_by, kind, n)
    ),
    -- The figure each one replaces: closed just now (the last one, should a key be written twice in one transaction).
    replaced as (
      select i.n, p.id, pc.consumer_visible, ${sameFigure('p', 'i')} as same
      from input i
      cross join lateral (
        select * from reconciled_figures p where ${sameKey('p', 'i')} and p.valid_to = now() order by p.id desc limit 1
      ) p
      join figure_changes pc on pc.figure_id = p.id
    ),
    superseded as (
      update figure_changes c set valid_to = now(), superseded_unchanged = replaced.same, entry = ${closedEntry(sql.ref('c.entry'))}
      from replaced where c.figure_id = replaced.id
    ),
    inserted as (
      insert into reconciled_figures (indicator_code, region_code, period, disagg_key, disagg, status, value, method, source_version_id, candidates, conflict_id, rationale, decided_by)
      select indicator_code, region_code, period, disagg_key, disagg, status, value, method, source_version_id, candidates, conflict_id, rationale, decided_by
      from input order by n
      returning id, indicator_code, region_code, period, disagg_key, valid_from
    )
    insert into figure_changes (${sql.join(ENTRY_COLUMNS.map((c) => sql.id(c)))}, entry)
    select ${sql.join(ENTRY_COLUMNS.map((c) => sql.ref(`e.${c}`)))}, ${changeEntry('e')}
    from (
      select f.id as figure_id, i.kind, now() as at, i.indicator_code, i.region_code, r.name as region_name, r.level as region_level, i.period,
             i.disagg_key, i.disagg, i.status, i.value, i.method, sv.dataset_id as source_dataset_id, sv.version as source_version,
             sv.published_at as source_published_at, i.conflict_id, i.rationale, i.decided_by, f.valid_from,
             ${consumerVisible('i', 'sd')} as consumer_visible, coalesce(replaced.consumer_visible, false) as prev_consumer_visible,
             coalesce(replaced.same, false) as unchanged, i.n
      from inserted f
      join input i using (indicator_code, region_code, period, disagg_key)
      join regions r on r.code = i.region_code
      left join dataset_versions sv on sv.id = i.source_version_id
      left join datasets sd on sd.id = sv.dataset_id
      left join replaced on replaced.n = i.n
    ) e
    join indicators i on i.code = e.indicator_code
    left join datasets d on d.id = e.source_dataset_id
    left join agencies a on a.id = d.agency_id
    order by e.n`.execute(db);
}

/**
 * After a dataset's classification changed: whether a consumer may see each figure it may have
 * supported (every figure of a key it reported, current or past), and the figure each replaced,
 * kept in their change-feed entries. One statement, over the dataset's keys only.
 */
export async function refreshConsumerVisibility(db: Kysely<DB>, datasetId: string) {
  await sql`
    with keys as (
      select distinct o.indicator_code, o.period, o.region_code, o.disagg_key
      from dataset_versions v join observations o on o.version_id = v.id
      where v.dataset_id = ${datasetId}
    ),
    figures as (
      select f.id, ${consumerVisible('f', 'sd')} as visible,
             lag(${consumerVisible('f', 'sd')}) over (partition by f.indicator_code, f.period, f.region_code, f.disagg_key order by f.valid_from, f.id) as prev_visible
      from keys k
      join reconciled_figures f on ${sameKey('f', 'k')}
      left join dataset_versions sv on sv.id = f.source_version_id
      left join datasets sd on sd.id = sv.dataset_id
    )
    update figure_changes c set consumer_visible = f.visible, prev_consumer_visible = coalesce(f.prev_visible, false)
    from figures f
    where c.figure_id = f.id and (c.consumer_visible, c.prev_consumer_visible) is distinct from (f.visible, coalesce(f.prev_visible, false))`.execute(db);
}

/**
 * The current figures `ids` written again unchanged, each with the kind of the change that
 * made it: what a reclassified dataset's figures are re-announced with (reclassify.ts).
 * Every figure row has exactly one change-feed entry (writeFigures writes them together).
 */
export async function unchangedRewrites(db: Kysely<DB>, ids: readonly string[]): Promise<FigureWrite[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql<KeyCandidates & { status: FigureState['status']; value: string | null; method: FigureMethod | null; source_version_id: string | null; conflict_id: string | null; rationale: string | null; decided_by: string | null; kind: ChangeKind }>`
    select f.indicator_code, f.region_code, f.period, f.disagg_key, f.disagg, f.candidates, f.status, f.value::text as value, f.method,
           f.source_version_id::text as source_version_id, f.conflict_id::text as conflict_id, f.rationale, f.decided_by, c.kind
    from reconciled_figures f
    join figure_changes c on c.figure_id = f.id
    where f.id = any(${ids}::bigint[]) and f.valid_to is null
    order by f.indicator_code, f.period, f.region_code, f.disagg_key`.execute(db);
  return rows.map((r) => ({
    key: { indicator_code: r.indicator_code, region_code: r.region_code, period: r.period, disagg_key: r.disagg_key, disagg: r.disagg, candidates: r.candidates },
    kind: r.kind,
    state: { status: r.status, value: r.value, method: r.method, sourceVersionId: r.source_version_id, conflictId: r.conflict_id, rationale: r.rationale, decidedBy: r.decided_by },
  }));
}

/**
 * Findings on the candidates' observations of a conflict's key: what the walidata should weigh.
 * Findings carry no breakdown key of their own, only the breakdown inside `details`; without
 * comparing it, the sex=L conflict would show the sex=P findings of the same region and year.
 */
export function findingsOnCandidates(db: Kysely<DB>, key: FigureKey & { disagg: Record<string, string> }, versionIds: string[]) {
  if (versionIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('findings')
    .select([sql<string>`id::text`.as('id'), sql<string>`version_id::text`.as('version_id'), 'code', 'severity', 'status', 'message_id', 'message_en'])
    .where('version_id', 'in', versionIds)
    .where('indicator_code', '=', key.indicator_code)
    .where('region_code', '=', key.region_code)
    .where('period', '=', key.period)
    .where(sql<boolean>`coalesce(details->'disaggregation', '{}'::jsonb) = ${JSON.stringify(key.disagg)}::jsonb`)
    .orderBy('id')
    .execute();
}

/**
 * Whether a consumer may see a figure (alias `figure`, its source dataset joined as `source`).
 * The chosen source decides first: a closed dataset's value never reaches a consumer, even
 * when an open dataset also reported the key; and a figure only closed datasets support is
 * hidden too. False for a missing (left-joined) figure: it has no candidates. Shared with
 * IKESOS, so a consumer's scores use exactly the figures the pull API would serve it.
 */
export function consumerVisible(figure: string, source: string) {
  return sql<boolean>`(coalesce(${sql.ref(source)}.metadata->>'access_classification', 'terbuka') <> 'tertutup' and exists (
      select 1 from jsonb_array_elements(${sql.ref(figure)}.candidates) c
      join datasets d on d.id = (c->>'dataset_id')::uuid
      where coalesce(d.metadata->>'access_classification', 'terbuka') <> 'tertutup'))`;
}

/** Each current figure a dataset supports (its source or a candidate): whether a consumer may see it now, by figure id. */
export async function consumerVisibilityOfDatasetFigures(db: Kysely<DB>, datasetId: string): Promise<Map<string, boolean>> {
  const rows = await db
    .selectFrom('reconciled_figures as f')
    .leftJoin('dataset_versions as sv', 'sv.id', 'f.source_version_id')
    .leftJoin('datasets as sd', 'sd.id', 'sv.dataset_id')
    .select([sql<string>`f.id::text`.as('id'), consumerVisible('f', 'sd').as('visible')])
    .where('f.valid_to', 'is', null)
    .where((eb) => eb.or([eb('sd.id', '=', datasetId), sql<boolean>`f.candidates @> ${JSON.stringify([{ dataset_id: datasetId }])}::jsonb`]))
    .execute();
  return new Map(rows.map((r) => [r.id, r.visible]));
}
