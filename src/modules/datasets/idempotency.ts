import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/app-error.js';
import { sqlState } from '../../db/errors.js';

// A key whose request died with its process would block retries forever; after this long
// an unfinished key is taken to be abandoned.
const ABANDONED_AFTER = '10 minutes';
/** Stored responses are replayed for a day, as clients retry within minutes, not weeks. */
const KEPT_FOR = '24 hours';

export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

export type Claim = { kind: 'claimed' } | { kind: 'replay'; requestSha256: string | null; status: number; body: Record<string, unknown> };

/**
 * Claims a key for this client and target before the work starts, in its own statement so
 * a concurrent duplicate sees it at once. A finished key returns what to replay.
 */
export async function claimKey(db: Kysely<DB>, clientId: string, key: string, target: string): Promise<Claim> {
  await db
    .deleteFrom('idempotency_keys')
    .where('client_id', '=', clientId)
    .where('key', '=', key)
    .where((eb) =>
      eb.or([
        eb('created_at', '<', sql<Date>`now() - ${KEPT_FOR}::interval`),
        eb.and([eb('status', '=', 'in_progress'), eb('created_at', '<', sql<Date>`now() - ${ABANDONED_AFTER}::interval`)]),
      ]),
    )
    .execute();
  try {
    await db.insertInto('idempotency_keys').values({ client_id: clientId, key, target, status: 'in_progress', response_body: null }).execute();
    return { kind: 'claimed' };
  } catch (err) {
    if (sqlState(err) !== '23505') throw err;
  }
  const existing = await db.selectFrom('idempotency_keys').selectAll().where('client_id', '=', clientId).where('key', '=', key).executeTakeFirst();
  if (!existing || existing.status === 'in_progress') throw new AppError('IDEMPOTENCY_IN_PROGRESS', { key });
  if (existing.target !== target) throw new AppError('IDEMPOTENCY_KEY_REUSED', { key });
  return { kind: 'replay', requestSha256: existing.request_sha256, status: existing.response_status ?? 200, body: existing.response_body ?? {} };
}

export async function completeKey(db: Kysely<DB>, clientId: string, key: string, result: { requestSha256: string; status: number; body: object }) {
  await db
    .updateTable('idempotency_keys')
    .set({ status: 'done', request_sha256: result.requestSha256, response_status: result.status, response_body: JSON.stringify(result.body) })
    .where('client_id', '=', clientId)
    .where('key', '=', key)
    .execute();
}

/** The request failed: free the key so the client can retry with it. */
export async function releaseKey(db: Kysely<DB>, clientId: string, key: string) {
  await db.deleteFrom('idempotency_keys').where('client_id', '=', clientId).where('key', '=', key).execute();
}
