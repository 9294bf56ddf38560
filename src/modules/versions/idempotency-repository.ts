import { sql, type Kysely, type Selectable } from 'kysely';
import { ownerEnded } from '../../db/instance.js';
import type { DB, IdempotencyKeysTable } from '../../db/schema.js';

/** Stored responses are replayed for a day, as clients retry within minutes, not weeks. */
const KEPT_FOR = '24 hours';
// Another process's unfinished key with no push running on it is taken for abandoned after
// this long even though that process lives: it may have failed to release the key.
const ABANDONED_AFTER = '10 minutes';

export type KeyRow = Selectable<IdempotencyKeysTable>;
export type FreshClaim = Pick<KeyRow, 'target' | 'status' | 'owner' | 'claim' | 'request_sha256' | 'response_status'> & { response_body: null };
export interface KeyId {
  clientId: string;
  key: string;
}

/** Held by the connection a claimed push runs on, for as long as it runs. */
const pushLock = (id: KeyId) => sql`hashtext(${`idempotency:${id.clientId}:${id.key}`})`;

export async function tryPushLock(db: Kysely<DB>, id: KeyId): Promise<boolean> {
  const { rows } = await sql<{ held: boolean }>`select pg_try_advisory_lock(${pushLock(id)}) as held`.execute(db);
  return rows[0]?.held === true;
}

export async function releasePushLock(db: Kysely<DB>, id: KeyId): Promise<void> {
  await sql`select pg_advisory_unlock(${pushLock(id)})`.execute(db);
}

/** The version a push of this content stored since `since`, if any: a died process's push may have been. */
export function findPushedVersion(db: Kysely<DB>, p: { datasetId: string; clientId: string; sha256: string; since: Date }) {
  return db
    .selectFrom('dataset_versions')
    .selectAll()
    .where('dataset_id', '=', p.datasetId)
    .where('submitted_by', '=', p.clientId)
    .where('content_sha256', '=', p.sha256)
    .where('submitted_at', '>=', p.since)
    .orderBy('version')
    .limit(1)
    .executeTakeFirst();
}

const ownClaim = (db: Kysely<DB>, id: KeyId, claim: string) =>
  db.updateTable('idempotency_keys').where('client_id', '=', id.clientId).where('key', '=', id.key).where('claim', '=', claim);

export async function completeClaim(db: Kysely<DB>, id: KeyId, claim: string, result: { requestSha256: string; status: number; body: object }): Promise<void> {
  await ownClaim(db, id, claim)
    .set({ status: 'done', request_sha256: result.requestSha256, response_status: result.status, response_body: JSON.stringify(result.body) })
    .execute();
}

export async function deleteClaim(db: Kysely<DB>, id: KeyId, claim: string): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('client_id', '=', id.clientId).where('key', '=', id.key).where('claim', '=', claim).execute();
}

/** True while `claim` is still the key's unfinished claim (not taken over, not answered). */
export async function isCurrentClaim(db: Kysely<DB>, id: KeyId, claim: string): Promise<boolean> {
  const row = await db
    .selectFrom('idempotency_keys')
    .select('claim')
    .where('client_id', '=', id.clientId)
    .where('key', '=', id.key)
    .where('claim', '=', claim)
    .where('status', '=', 'in_progress')
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteExpiredKey(db: Kysely<DB>, id: KeyId): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('client_id', '=', id.clientId).where('key', '=', id.key).where('created_at', '<', sql<Date>`now() - ${KEPT_FOR}::interval`).execute();
}

/** Inserts the claim unless the key exists; true when it was inserted. */
export async function insertClaim(db: Kysely<DB>, id: KeyId, fresh: FreshClaim): Promise<boolean> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({ client_id: id.clientId, key: id.key, ...fresh })
    .onConflict((oc) => oc.columns(['client_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return inserted !== undefined;
}

export function findKey(db: Kysely<DB>, id: KeyId) {
  return db.selectFrom('idempotency_keys').selectAll().where('client_id', '=', id.clientId).where('key', '=', id.key).executeTakeFirst();
}

/**
 * Makes `existing` this claim, if it is still what was read (one statement). With `abandoned`,
 * only if nobody works on it: no push holds its lock, and its owner is this process without
 * the claim in `working`, a process that ended, or another process past ABANDONED_AFTER.
 */
export async function takeOverKey(
  db: Kysely<DB>,
  existing: KeyRow,
  fresh: FreshClaim,
  abandoned?: { instanceId: string; working: readonly string[] },
): Promise<boolean> {
  const id = { clientId: existing.client_id, key: existing.key };
  const condition = abandoned
    ? sql<boolean>`pg_try_advisory_xact_lock(${pushLock(id)}) and (
        (owner = ${abandoned.instanceId} and claim <> all(${[...abandoned.working]}::text[]))
        or coalesce(${ownerEnded(sql.ref('owner'), abandoned.instanceId)}, false)
        or (owner is distinct from ${abandoned.instanceId} and created_at < now() - ${ABANDONED_AFTER}::interval))`
    : sql<boolean>`true`;
  const { numUpdatedRows } = await db
    .updateTable('idempotency_keys')
    .set({ ...fresh, created_at: sql`now()` })
    .where('client_id', '=', existing.client_id)
    .where('key', '=', existing.key)
    .where('status', '=', existing.status)
    .where(sql<boolean>`claim is not distinct from ${existing.claim}`)
    .where(condition)
    .executeTakeFirst();
  return numUpdatedRows > 0n;
}
