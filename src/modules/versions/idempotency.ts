import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/create-db.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/app-error.js';
import { findJob } from '../jobs/repository.js';
import type { PushReport } from './ingest.js';
import {
  completeClaim,
  deleteClaim,
  deleteExpiredKey,
  findKey,
  findPushedVersion,
  insertClaim,
  isCurrentClaim,
  releasePushLock,
  takeOverKey,
  tryPushLock,
  type FreshClaim,
  type KeyId,
  type KeyRow,
} from './idempotency-repository.js';

export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

/** Claims this process is working on: a claim it owns that is not here was left behind. */
const working = new Set<string>();

type Answer = { status: number; body: Record<string, unknown> };
type Pushing = Pick<Database, 'db' | 'withConnection'>;

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
    private readonly id: KeyId,
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
      if (sha256 !== this.stored.requestSha256) throw new AppError('IDEMPOTENCY_KEY_REUSED', { key: this.id.key });
      return this.stored;
    }
    if (!this.orphanedSince || this.push.dryRun) return undefined;
    const version = await findPushedVersion(this.db, { datasetId: this.push.datasetId, clientId: this.id.clientId, sha256, since: this.orphanedSince });
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
    return {
      db: database.db,
      withConnection: (work) =>
        database.withConnection(async (connection) => {
          const held = await tryPushLock(connection.db, this.id);
          try {
            if (!held || !(await isCurrentClaim(connection.db, this.id, this.token))) throw new AppError('IDEMPOTENCY_IN_PROGRESS', { key: this.id.key });
            return await work(connection);
          } finally {
            // A connection that failed has lost the lock with it.
            if (held) await releasePushLock(connection.db, this.id).catch(() => undefined);
          }
        }),
    };
  }

  async complete(result: { requestSha256: string; status: number; body: object }): Promise<void> {
    if (this.stored) return;
    try {
      await completeClaim(this.db, this.id, this.token, result);
    } finally {
      working.delete(this.token);
    }
  }

  /** The request failed: free the key so the client can retry with it. */
  async release(): Promise<void> {
    if (this.stored) return;
    try {
      await deleteClaim(this.db, this.id, this.token);
    } finally {
      working.delete(this.token);
    }
  }
}

export async function claimKey(database: Pick<Database, 'db' | 'instanceId'>, clientId: string, key: string, push: { datasetId: string; dryRun: boolean }): Promise<KeyClaim> {
  const { db, instanceId } = database;
  const id = { clientId, key };
  const target = `POST /v1/datasets/${push.datasetId}/versions?dryRun=${push.dryRun}`;
  await deleteExpiredKey(db, id);
  const token = randomUUID();
  const claim = new KeyClaim(db, id, push, token);
  const fresh: FreshClaim = { target, status: 'in_progress', owner: instanceId, claim: token, request_sha256: null, response_status: null, response_body: null };
  // Counted as working before it can be seen, or another request of this process could take it for left behind.
  working.add(token);
  try {
    if (await insertClaim(db, id, fresh)) return claim;
    const existing = await findKey(db, id);
    if (existing?.status === 'done') {
      if (existing.target !== target) throw new AppError('IDEMPOTENCY_KEY_REUSED', { key });
      // A key answered with a job follows its job: one that failed stored nothing, so the key
      // is free again, as a failed synchronous push's is.
      if (!(await answeredByFailedJob(db, existing))) {
        working.delete(token);
        return new KeyClaim(db, id, push, token, { requestSha256: existing.request_sha256, status: existing.response_status ?? 200, body: existing.response_body ?? {} });
      }
      if (await takeOverKey(db, existing, fresh)) return claim;
    } else if (existing) {
      if (await takeOverKey(db, existing, fresh, { instanceId, working: [...working] })) return claim.orphanOf(existing.created_at);
    }
    throw new AppError('IDEMPOTENCY_IN_PROGRESS', { key });
  } catch (err) {
    working.delete(token);
    throw err;
  }
}

async function answeredByFailedJob(db: Kysely<DB>, row: KeyRow): Promise<boolean> {
  const jobId = row.response_status === 202 ? row.response_body?.job_id : undefined;
  return typeof jobId === 'string' && (await findJob(db, jobId))?.status === 'failed';
}
