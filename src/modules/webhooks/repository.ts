import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, WebhookSubscriptionsTable } from '../../db/schema.js';
import { AGENCY_EVENTS } from './event-types.js';

export type SubscriptionRow = Omit<Selectable<WebhookSubscriptionsTable>, 'cursor'> & { cursor: string };

const subscriptionColumns = sql`s.*, s.cursor::text as cursor`;

// Any constant works; it only has to be the same for every process that derives events.
const MATERIALIZER_LOCK = 7_110_016;

/**
 * Events are derived by one transaction at a time (the others skip their turn), so their
 * sequence numbers commit in order and a subscription's cursor never passes an event that
 * commits later.
 */
export async function tryLockMaterializer(db: Kysely<DB>): Promise<boolean> {
  const { rows } = await sql<{ held: boolean }>`select pg_try_advisory_xact_lock(${MATERIALIZER_LOCK}) as held`.execute(db);
  return rows[0]!.held;
}

export async function sourceCursor(db: Kysely<DB>, source: string): Promise<string> {
  const row = await db.selectFrom('webhook_source_cursors').select(sql<string>`cursor::text`.as('cursor')).where('source', '=', source).executeTakeFirst();
  return row?.cursor ?? '0';
}

export async function setSourceCursor(db: Kysely<DB>, source: string, cursor: string): Promise<void> {
  await db
    .insertInto('webhook_source_cursors')
    .values({ source, cursor })
    .onConflict((oc) => oc.column('source').doUpdateSet({ cursor }))
    .execute();
}

export interface NewEvent {
  id: string;
  type: string;
  source_key: string;
  indicator_code: string | null;
  region_code: string | null;
  agency_id: string | null;
  /** What everyone but consumers gets; null when only consumers are told (a re-announcement). */
  payload: object | null;
  consumer_payload: object | null;
}

/** Stores events; one already derived from the same source record is kept as it was. */
export async function insertEvents(db: Kysely<DB>, events: NewEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const result = await db
    .insertInto('webhook_events')
    .values(events.map((e) => ({ ...e, payload: e.payload ? JSON.stringify(e.payload) : null, consumer_payload: e.consumer_payload ? JSON.stringify(e.consumer_payload) : null })))
    .onConflict((oc) => oc.column('source_key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/** Audited review steps and pushes not yet turned into events, oldest first. */
export function queuedAuditEntries(db: Kysely<DB>, limit: number) {
  return db
    .selectFrom('webhook_audit_queue as q')
    .innerJoin('audit_log as a', 'a.id', 'q.audit_id')
    .select([sql<string>`q.id::text`.as('queue_id'), sql<string>`a.id::text`.as('audit_id'), 'a.at', 'a.action', 'a.entity_id', 'a.actor_id', 'a.after'])
    .orderBy('q.id')
    .limit(limit)
    .execute();
}

export async function dropQueuedAuditEntries(db: Kysely<DB>, ids: string[]): Promise<void> {
  if (ids.length > 0) await db.deleteFrom('webhook_audit_queue').where(sql<boolean>`id = any(${ids}::bigint[])`).execute();
}

/** Datasets with their agencies, by id: for the events about their versions, one query per batch. */
export async function datasetsWithAgency(db: Kysely<DB>, datasetIds: readonly string[]) {
  const rows =
    datasetIds.length === 0
      ? []
      : await db
          .selectFrom('datasets as d')
          .innerJoin('agencies as a', 'a.id', 'd.agency_id')
          .select(['d.id', 'd.title', sql<string>`a.id::text`.as('agency_id'), 'a.code as agency', 'a.jurisdiction_region_code'])
          .where(sql<boolean>`d.id::text = any(${[...new Set(datasetIds)]}::text[])`)
          .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * Open anomaly findings of pushed versions (at most 101 each, the event shows 100 and says
 * "100+"), keyed `dataset:version`: what /v1/inbox lists for the agency to answer.
 * Not narrowed to versions still under review: events are derived after the fact, and a
 * version returned before that happened still had findings waiting when it was pushed.
 */
export async function findingsToAnswerOf(db: Kysely<DB>, versions: readonly { datasetId: string; version: number }[]) {
  const byVersion = new Map<string, { id: string; code: string; severity: string; message_id: string; message_en: string }[]>();
  if (versions.length === 0) return byVersion;
  const { rows } = await sql<{ key: string; id: string; code: string; severity: string; message_id: string; message_en: string }>`
    select key, id, code, severity, message_id, message_en from (
      select v.dataset_id::text || ':' || v.version as key, f.id::text as id, f.code, f.severity, f.message_id, f.message_en,
             row_number() over (partition by f.version_id order by f.id) as n
      from unnest(${versions.map((v) => v.datasetId)}::text[], ${versions.map((v) => v.version)}::int[]) as w(dataset_id, version)
      join dataset_versions v on v.dataset_id::text = w.dataset_id and v.version = w.version
      join findings f on f.version_id = v.id
      where f.status = 'open' and f.detector is not null
    ) ranked
    where n <= 101
    order by key, n`.execute(db);
  for (const { key, ...finding } of rows) {
    const list = byVersion.get(key) ?? [];
    list.push(finding);
    byVersion.set(key, list);
  }
  return byVersion;
}

/** Agencies with obligations in an open cycle: the only ones a deadline can remind. */
export function agenciesOwingInOpenCycles(db: Kysely<DB>) {
  return db
    .selectFrom('obligations as o')
    .innerJoin('cycles as c', 'c.id', 'o.cycle_id')
    .innerJoin('agencies as a', 'a.id', 'o.agency_id')
    .select([sql<string>`a.id::text`.as('id'), 'a.code', 'a.jurisdiction_region_code'])
    .where('c.status', '=', 'open')
    .distinct()
    .execute();
}

/** Whether any active subscription asks for this type: deadlines are computed only then. */
export async function anyoneWants(db: Kysely<DB>, type: string): Promise<boolean> {
  const row = await db.selectFrom('webhook_subscriptions').select(sql`1`.as('one')).where('status', '=', 'active').where(sql<boolean>`${type} = any(event_types)`).limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function lastEventSeq(db: Kysely<DB>): Promise<string> {
  const row = await db.selectFrom('webhook_events').select(sql<string>`coalesce(max(seq), 0)::text`.as('seq')).executeTakeFirstOrThrow();
  return row.seq;
}

// --- subscriptions -------------------------------------------------------------------------

export type NewSubscription = {
  owner_client_id: string;
  owner_role: string;
  owner_agency_id: string | null;
  owner_region: string | null;
  url: string;
  description: string | null;
  event_types: string[];
  indicators: string[] | null;
  regions: string[] | null;
  secret: string;
  cursor: string;
};

export async function insertSubscription(db: Kysely<DB>, row: NewSubscription): Promise<SubscriptionRow> {
  const { id } = await db.insertInto('webhook_subscriptions').values(row).returning(sql<string>`id::text`.as('id')).executeTakeFirstOrThrow();
  return (await findSubscription(db, id))!;
}

export async function findSubscription(db: Kysely<DB>, id: string, lock = false): Promise<SubscriptionRow | undefined> {
  const { rows } = await sql<SubscriptionRow>`select ${subscriptionColumns} from webhook_subscriptions s where s.id::text = ${id} ${lock ? sql`for update` : sql``}`.execute(db);
  return rows[0];
}

export async function listSubscriptions(db: Kysely<DB>, f: { owner: string | null; after: string | undefined; limit: number }): Promise<SubscriptionRow[]> {
  const { rows } = await sql<SubscriptionRow>`
    select ${subscriptionColumns} from webhook_subscriptions s
    where (${f.owner}::text is null or s.owner_client_id = ${f.owner})
      and (${f.after ?? null}::text is null or s.id::text > ${f.after ?? null})
    order by s.id::text limit ${f.limit + 1}`.execute(db);
  return rows;
}

export type SubscriptionPatch = Partial<{
  url: string;
  description: string | null;
  event_types: string[];
  indicators: string[] | null;
  regions: string[] | null;
  status: 'active' | 'paused';
  paused_reason: string | null;
  paused_at: Date | null;
  consecutive_failures: number;
  last_error: string | null;
  next_attempt_at: Date;
  cursor: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_until: Date | null;
  secret_rotated_at: Date;
}>;

export async function updateSubscription(db: Kysely<DB>, id: string, patch: SubscriptionPatch): Promise<SubscriptionRow> {
  await db
    .updateTable('webhook_subscriptions')
    .set({ ...patch, updated_at: new Date() })
    .where(sql<boolean>`id::text = ${id}`)
    .execute();
  return (await findSubscription(db, id))!;
}

export async function deleteSubscription(db: Kysely<DB>, id: string): Promise<void> {
  await db.deleteFrom('webhook_subscriptions').where(sql<boolean>`id::text = ${id}`).execute();
}

export async function eventSeqOf(db: Kysely<DB>, eventId: string): Promise<string | undefined> {
  const row = await db.selectFrom('webhook_events').select(sql<string>`seq::text`.as('seq')).where('id', '=', eventId).executeTakeFirst();
  return row?.seq;
}

export function listAttempts(db: Kysely<DB>, f: { subscription: string; outcome: 'delivered' | 'failed' | undefined; after: string | undefined; limit: number }) {
  let q = db
    .selectFrom('webhook_attempts')
    .select([sql<string>`id::text`.as('id'), 'event_id', 'event_type', sql<string>`event_seq::text`.as('event_seq'), 'attempt', 'at', 'duration_ms', 'status_code', 'outcome', 'error'])
    .where(sql<boolean>`subscription_id::text = ${f.subscription}`)
    .orderBy('id', 'desc')
    .limit(f.limit + 1);
  if (f.outcome) q = q.where('outcome', '=', f.outcome);
  if (f.after) q = q.where(sql<boolean>`id < ${f.after}::bigint`);
  return q.execute();
}

// --- delivery ------------------------------------------------------------------------------

/**
 * Leases active subscriptions that have events after their cursor and are due, so that of
 * several processes exactly one delivers to each subscription at a time: rows another process
 * is claiming are skipped, and a lease whose holder died expires.
 */
export async function claimDue(db: Kysely<DB>, f: { owner: string; now: Date; leaseMs: number; limit: number; upTo: string }): Promise<SubscriptionRow[]> {
  const until = new Date(f.now.getTime() + f.leaseMs);
  const { rows } = await sql<SubscriptionRow>`
    update webhook_subscriptions s set lease_owner = ${f.owner}, lease_until = ${until}
    where s.id in (
      select w.id from webhook_subscriptions w join clients c on c.id = w.owner_client_id
      where w.status = 'active' and c.disabled_at is null and w.next_attempt_at <= ${f.now}
        and (w.lease_until is null or w.lease_until < ${f.now}) and w.cursor < ${f.upTo}::bigint
      order by w.next_attempt_at limit ${f.limit}
      for update of w skip locked)
    returning ${subscriptionColumns}`.execute(db);
  return rows;
}

export interface DueEvent {
  seq: string;
  id: string;
  type: string;
  created_at: Date;
  payload: Record<string, unknown>;
}

/**
 * The next events a subscription is owed after its cursor and up to `upTo`: of its types, inside
 * its filters and its owner's scope. Consumers get the consumer view of an event, and nothing
 * where that view is empty. Filters apply to events that name an indicator or a region.
 */
export async function nextEvents(db: Kysely<DB>, s: SubscriptionRow, upTo: string, limit: number): Promise<DueEvent[]> {
  const consumer = s.owner_role === 'consumer';
  const agencyScope =
    s.owner_role === 'producer'
      ? sql<boolean>`e.agency_id::text = ${s.owner_agency_id}`
      : s.owner_region === null || s.owner_role === 'admin'
        ? sql<boolean>`true`
        : sql<boolean>`(e.region_code = ${s.owner_region} or e.region_code like ${`${s.owner_region}.%`})`;
  const { rows } = await sql<DueEvent>`
    select e.seq::text as seq, e.id, e.type, e.created_at, ${consumer ? sql`e.consumer_payload` : sql`e.payload`} as payload
    from webhook_events e
    where e.seq > ${s.cursor}::bigint and e.seq <= ${upTo}::bigint
      and e.type = any(${s.event_types}::text[])
      and ${consumer ? sql`e.consumer_payload is not null` : sql`e.payload is not null`}
      and (${s.indicators}::text[] is null or e.indicator_code is null or e.indicator_code = any(${s.indicators}::text[]))
      and (${s.regions}::text[] is null or e.region_code is null
           or exists (select 1 from unnest(${s.regions}::text[]) r(code) where e.region_code = r.code or e.region_code like r.code || '.%'))
      and (not (e.type = any(${[...AGENCY_EVENTS]}::text[])) or ${agencyScope})
    order by e.seq limit ${limit}`.execute(db);
  return rows;
}

export async function recordAttempt(
  db: Kysely<DB>,
  a: { subscription_id: string; event: DueEvent; attempt: number; at: Date; duration_ms: number; status_code: number | null; outcome: 'delivered' | 'failed'; error: string | null },
): Promise<void> {
  await db
    .insertInto('webhook_attempts')
    .values({
      subscription_id: a.subscription_id,
      event_seq: a.event.seq,
      event_id: a.event.id,
      event_type: a.event.type,
      attempt: a.attempt,
      at: a.at,
      duration_ms: a.duration_ms,
      status_code: a.status_code,
      outcome: a.outcome,
      error: a.error,
    })
    .execute();
}

/** Updates a leased subscription, only while this process still holds the lease. */
export async function updateLeased(db: Kysely<DB>, id: string, owner: string, patch: SubscriptionPatch & { release?: boolean }): Promise<boolean> {
  const { release, ...rest } = patch;
  const result = await db
    .updateTable('webhook_subscriptions')
    .set({ ...rest, ...(release ? { lease_owner: null, lease_until: null } : {}) })
    .where(sql<boolean>`id::text = ${id}`)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** How many times an event was already tried for a subscription, for the attempt number. */
export async function attemptsOf(db: Kysely<DB>, subscriptionId: string, seq: string): Promise<number> {
  const row = await db
    .selectFrom('webhook_attempts')
    .select(sql<number>`count(*)::int`.as('n'))
    .where(sql<boolean>`subscription_id::text = ${subscriptionId}`)
    .where(sql<boolean>`event_seq = ${seq}::bigint`)
    .executeTakeFirstOrThrow();
  return row.n;
}

/** Which of these codes are not in the catalogue / the region table. */
export async function unknownCodes(db: Kysely<DB>, table: 'indicators' | 'regions', codes: string[]): Promise<string[]> {
  if (codes.length === 0) return [];
  const found = await db.selectFrom(table).select('code').where('code', 'in', codes).execute();
  const known = new Set(found.map((r) => r.code));
  return codes.filter((c) => !known.has(c));
}
