import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import type { Database } from '../../db/create-db.js';
import { ownerEnded } from '../../db/instance.js';
import type { DB, IdempotencyKeysTable } from '../../db/schema.js';
import { AppError } from '../../http/app-error.js';
import { findJob } from './job-repository.js';
import type { PushReport } from './ingest.js';

/** Stored responses are replayed for a day, as clients retry within minutes, not weeks. */
const KEPT_FOR = '24 hours';
// Another process's unfinished key with no push running on it is taken for abandoned after
// this long even though that process lives: it may have failed to release the key.
const ABANDONED_AFTER = '10 minutes';

export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

/** Claims this process is working on: a claim it owns that is not here was left behind. */
const working = new Set<string>();

type KeyRow = Selectable<IdempotencyKeysTable>;
type Answer = { status: number; body: Record<string, unknown> };
type Pushing = Pick<Database, 'db' | 'withConnection'>;

/** Held by the connection a claimed push runs on, for as long as it runs. */
const pushLock = (clientId: string, key: string) => sql`hashtext(${`idempotency:${clientId}:${key}`})`;

/**
 * A client's Idempotency-Key for one push. Claimed before the body is read, in its own
 * statement so a concurrent duplicate sees it at once (409). A claim belongs to its process
 * (db/instance.ts) and, while the push is written, to that push's connection, so a claim
 * whose process died is free for the retry at once; a key already answered replays.
 */
export class KeyClaim {
  private orphanedSince: Date | undefined;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly clientId: string,
    private readonly key: string,
    private readonly push: { datasetId: string; dryRun: boolean },
    private readonly token: string,
    private readonly stored?: Answer & { requestSha256: string | null },
  ) {}

  /** Taken over from a process that died while its push ran: that push may have been stored. */
  orphanOf(since: Date): this {
    this.orphanedSince = since;
    return this;
  }

  /**
   * What to answer instead of pushing: the response already given for this key (the same
   * body only, else 422), or, when the push of a process that died had been stored before
   * its answer was, that version's report (its findings paged from the version's report).
   */
  async replay(sha256: string): Promise<Answer | undefined> {
    if (this.stored) {
      if (sha256 !== this.stored.requestSha256) throw new AppError('IDEMPOTENCY_KEY_REUSED', { key: this.key });
      return this.stored;
    }
    if (!this.orphanedSince || this.push.dryRun) return undefined;
    const version = await this.db
      .selectFrom('dataset_versions')
      .selectAll()
      .where('dataset_id', '=', this.push.datasetId)
      .where('submitted_by', '=', this.clientId)
      .where('content_sha256', '=', sha256)
      .where('submitted_at', '>=', this.orphanedSince)
      .orderBy('version')
      .limit(1)
      .executeTakeFirst();
    if (!version) return undefined;
    const report: PushReport = {
      dataset_id: version.dataset_id,
      version: version.version,
      status: version.status as PushReport['status'],
      dry_run: false,
      format: version.format as PushReport['format'],
      content_sha256: version.content_sha256,
      summary: version.summary as PushReport['summary'],
      findings: [],
      findings_truncated: version.error_count + version.warning_count > 0,
    };
    const answer = { status: 201, body: report as unknown as Record<string, unknown> };
    await this.complete({ requestSha256: sha256, ...answer });
    return answer;
  }

  /**
   * The database the claimed push runs on. Its connection holds the key's lock while the
   * push is written, so the claim is never taken for abandoned meanwhile, and it checks the
   * claim is still this one first: a push whose claim was taken over stops before writing.
   */
  guard(database: Pushing): Pushing {
    const lock = pushLock(this.clientId, this.key);
    return {
      db: database.db,
      withConnection: (work) =>
        database.withConnection(async (connection) => {
          const { rows } = await sql<{ held: boolean }>`select pg_try_advisory_lock(${lock}) as held`.execute(connection.db);
          const held = rows[0]?.held === true;
          try {
            if (!held || !(await this.current(connection.db))) throw new AppError('IDEMPOTENCY_IN_PROGRESS', { key: this.key });
            return await work(connection);
          } finally {
            // A connection that failed has lost the lock with it.
            if (held) await sql`select pg_advisory_unlock(${lock})`.execute(connection.db).catch(() => undefined);
          }
        }),
    };
  }

  async complete(result: { requestSha256: string; status: number; body: object }): Promise<void> {
    if (this.stored) return;
    try {
      await this.mine()
        .set({ status: 'done', request_sha256: result.requestSha256, response_status: result.status, response_body: JSON.stringify(result.body) })
        .execute();
    } finally {
      working.delete(this.token);
    }
  }

  /** The request failed: free the key so the client can retry with it. */
  async release(): Promise<void> {
    if (this.stored) return;
    try {
      await this.db.deleteFrom('idempotency_keys').where('client_id', '=', this.clientId).where('key', '=', this.key).where('claim', '=', this.token).execute();
    } finally {
      working.delete(this.token);
    }
  }

  private async current(db: Kysely<DB>): Promise<boolean> {
    const row = await db
      .selectFrom('idempotency_keys')
      .select('claim')
      .where('client_id', '=', this.clientId)
      .where('key', '=', this.key)
      .where('claim', '=', this.token)
      .where('status', '=', 'in_progress')
      .executeTakeFirst();
    return row !== undefined;
  }

  private mine() {
    return this.db.updateTable('idempotency_keys').where('client_id', '=', this.clientId).where('key', '=', this.key).where('claim', '=', this.token);
  }
}

export async function claimKey(database: Pick<Database, 'db' | 'instanceId'>, clientId: string, key: string, push: { datasetId: string; dryRun: boolean }): Promise<KeyClaim> {
  const { db, instanceId } = database;
  const target = `POST /v1/datasets/${push.datasetId}/versions?dryRun=${push.dryRun}`;
  await db.deleteFrom('idempotency_keys').where('client_id', '=', clientId).where('key', '=', key).where('created_at', '<', sql<Date>`now() - ${KEPT_FOR}::interval`).execute();
  const token = randomUUID();
  const claim = new KeyClaim(db, clientId, key, push, token);
  const fresh = { target, status: 'in_progress', owner: instanceId, claim: token, request_sha256: null, response_status: null, response_body: null };
  // Counted as working before it can be seen, or another request of this process could take it for left behind.
  working.add(token);
  try {
    const inserted = await db
      .insertInto('idempotency_keys')
      .values({ client_id: clientId, key, ...fresh })
      .onConflict((oc) => oc.columns(['client_id', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    if (inserted) return claim;
    const existing = await db.selectFrom('idempotency_keys').selectAll().where('client_id', '=', clientId).where('key', '=', key).executeTakeFirst();
    if (existing?.status === 'done') {
      if (existing.target !== target) throw new AppError('IDEMPOTENCY_KEY_REUSED', { key });
      // A key answered with a job follows its job: one that failed stored nothing, so the key
      // is free again, as a failed synchronous push's is.
      if (!(await answeredByFailedJob(db, existing))) {
        working.delete(token);
        return new KeyClaim(db, clientId, key, push, token, { requestSha256: existing.request_sha256, status: existing.response_status ?? 200, body: existing.response_body ?? {} });
      }
      if (await takeOver(db, existing, fresh, sql<boolean>`true`)) return claim;
    } else if (existing) {
      const abandoned = sql<boolean>`pg_try_advisory_xact_lock(${pushLock(clientId, key)}) and (
        (owner = ${instanceId} and claim <> all(${[...working]}::text[]))
        or coalesce(${ownerEnded(sql.ref('owner'), instanceId)}, false)
        or (owner is distinct from ${instanceId} and created_at < now() - ${ABANDONED_AFTER}::interval))`;
      if (await takeOver(db, existing, fresh, abandoned)) return claim.orphanOf(existing.created_at);
    }
    throw new AppError('IDEMPOTENCY_IN_PROGRESS', { key });
  } catch (err) {
    working.delete(token);
    throw err;
  }
}

/** Makes `existing` this claim, if it is still what was read and `condition` holds for it (one statement). */
async function takeOver(db: Kysely<DB>, existing: KeyRow, fresh: Pick<KeyRow, 'target' | 'status' | 'owner' | 'claim' | 'request_sha256' | 'response_status'> & { response_body: null }, condition: RawBuilder<boolean>): Promise<boolean> {
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

async function answeredByFailedJob(db: Kysely<DB>, row: KeyRow): Promise<boolean> {
  const jobId = row.response_status === 202 ? row.response_body?.job_id : undefined;
  return typeof jobId === 'string' && (await findJob(db, jobId))?.status === 'failed';
}
