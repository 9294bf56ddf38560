import { sql, type Kysely } from 'kysely';
import { ownerEnded } from '../../db/instance.js';
import type { DB } from '../../db/schema.js';

/**
 * Stored body pieces. Small, because embedded PGlite grows its engine's memory (never given
 * back) with the size of a statement's parameters: 1 MiB pieces cost a 10 MB body ~450 MiB of
 * resident memory there, 64 KiB pieces ~90 MiB (test/slow/input-limits-memory.test.ts).
 */
const CHUNK_BYTES = 64 * 1024;
/** Pieces read per statement: 1 MiB. */
const CHUNKS_PER_READ = 16;
const lockKey = (id: string) => sql`hashtext(${`push-job:${id}`})`;
const leaseEnd = (leaseMs: number) => sql<Date>`now() + make_interval(secs => ${leaseMs / 1000})`;

/** One claim of a job: `attempt` (the job's claim count when it was claimed) fences its writes. */
export interface Claim {
  id: string;
  attempt: number;
}

export interface NewJob {
  kind: 'push' | 'publish';
  dataset_id: string;
  client_id: string;
  format: string | null;
  dry_run: boolean | null;
  rows_expected: number | null;
  /** For a publication: the version it publishes. */
  version: number | null;
  payload: object;
}

/**
 * The job and its body, in one transaction: a job is never seen without all it needs to run.
 * It is held by `owner` until opened (openJob), so that what must be recorded about it first
 * (its Idempotency-Key's answer) is; if that owner ends before, any process may run it.
 */
export async function insertJob(db: Kysely<DB>, job: NewJob & { owner: string }, body: Iterable<Buffer> | AsyncIterable<Buffer> | undefined): Promise<string> {
  return db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('push_jobs')
      .values({ ...job, payload: JSON.stringify(job.payload), status: 'running', report: null, problem: null, lease_until: sql<Date>`'infinity'::timestamptz` })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (!body) return id;
    let seq = 0;
    let pending: Buffer[] = [];
    let size = 0;
    const flush = async () => {
      await trx.insertInto('job_chunks').values({ job_id: id, seq: seq++, bytes: Buffer.concat(pending, size) }).execute();
      pending = [];
      size = 0;
    };
    for await (const piece of body) {
      for (let at = 0; at < piece.length; ) {
        const part = piece.subarray(at, at + CHUNK_BYTES - size);
        pending.push(part);
        size += part.length;
        at += part.length;
        if (size === CHUNK_BYTES) await flush();
      }
    }
    if (size > 0) await flush();
    return id;
  });
}

/** A job's stored body, a few chunks per statement, so memory stays flat whatever its size. */
export async function* jobBody(db: Kysely<DB>, id: string): AsyncGenerator<Buffer> {
  for (let next = 0; ; ) {
    const rows = await db.selectFrom('job_chunks').select(['seq', 'bytes']).where('job_id', '=', id).where('seq', '>=', next).orderBy('seq').limit(CHUNKS_PER_READ).execute();
    if (rows.length === 0) return;
    for (const r of rows) yield r.bytes;
    next = rows.at(-1)!.seq + 1;
  }
}

export type ClaimedJob = Awaited<ReturnType<typeof claimJobs>>[number];

/**
 * Leases jobs nobody is running: new ones, those whose lease has expired, and those whose
 * process has ended (db/instance.ts; on PGlite every earlier process). Rows another process is
 * claiming at the same moment are skipped. Each claim counts as an attempt.
 */
export async function claimJobs(db: Kysely<DB>, f: { owner: string; leaseMs: number; limit: number; running: string[] }) {
  const { rows } = await sql<{
    id: string;
    kind: string;
    attempts: number;
    dataset_id: string;
    client_id: string;
    version: number | null;
    payload: Record<string, unknown> | null;
  }>`
    update push_jobs j set owner = ${f.owner}, lease_until = ${leaseEnd(f.leaseMs)}, attempts = j.attempts + 1
    where j.id in (
      select c.id from push_jobs c
      where c.status = 'running' and not (c.id::text = any(${f.running}::text[]))
        and (c.lease_until is null or c.lease_until < now() or coalesce(${ownerEnded(sql.ref('c.owner'), f.owner)}, false))
      order by c.created_at limit ${f.limit}
      for update of c skip locked)
    returning j.id, j.kind, j.attempts, j.dataset_id, j.client_id, j.version, j.payload`.execute(db);
  return rows;
}

/** Renews a lease and stores the progress so far; false when this claim no longer holds the job. */
export async function renewLease(db: Kysely<DB>, claim: Claim & { owner: string }, leaseMs: number, progress: object | null): Promise<boolean> {
  const result = await db
    .updateTable('push_jobs')
    .set({ lease_until: leaseEnd(leaseMs), ...(progress ? { progress: JSON.stringify(progress) } : {}) })
    .where('id', '=', claim.id)
    // Given back (releaseJob), a job is no longer renewed.
    .where('owner', '=', claim.owner)
    .where('attempts', '=', claim.attempt)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * In the job's own transaction: waits for any earlier claim's transaction to end (its lock goes
 * with it), then tells whether this claim still holds the job.
 */
export async function lockJob(db: Kysely<DB>, claim: Claim): Promise<boolean> {
  await sql`select pg_advisory_xact_lock(${lockKey(claim.id)})`.execute(db);
  const job = await db.selectFrom('push_jobs').select(['status', 'attempts']).where('id', '=', claim.id).executeTakeFirst();
  return job?.status === 'running' && job.attempts === claim.attempt;
}

export type JobOutcome = { status: 'succeeded'; version: number | null; report: object } | { status: 'failed'; problem: object };

/** Records the end of a job and drops its body; false (nothing written) when this claim no longer holds it. */
export async function finishJob(db: Kysely<DB>, claim: Claim, outcome: JobOutcome): Promise<boolean> {
  const result = await db
    .updateTable('push_jobs')
    .set({
      status: outcome.status,
      finished_at: sql<Date>`now()`,
      lease_until: null,
      ...(outcome.status === 'succeeded' ? { version: outcome.version, report: JSON.stringify(outcome.report) } : { problem: JSON.stringify(outcome.problem) }),
    })
    .where('id', '=', claim.id)
    .where('attempts', '=', claim.attempt)
    .where('status', '=', 'running')
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return false;
  await db.deleteFrom('job_chunks').where('job_id', '=', claim.id).execute();
  return true;
}

/** Lets any process run a job just inserted. */
export async function openJob(db: Kysely<DB>, id: string): Promise<void> {
  await db.updateTable('push_jobs').set({ owner: null, lease_until: null }).where('id', '=', id).where('attempts', '=', 0).execute();
}

/** Removes a job nobody was told of and nobody has run. */
export async function dropJob(db: Kysely<DB>, id: string): Promise<void> {
  await db.deleteFrom('push_jobs').where('id', '=', id).where('attempts', '=', 0).execute();
}

/** Gives a job back, for any process to claim at once or after `delayMs`. */
export async function releaseJob(db: Kysely<DB>, claim: Claim, delayMs: number): Promise<void> {
  await db
    .updateTable('push_jobs')
    .set({ owner: null, lease_until: delayMs > 0 ? leaseEnd(delayMs) : null })
    .where('id', '=', claim.id)
    .where('attempts', '=', claim.attempt)
    .where('status', '=', 'running')
    .execute();
}

export function findJob(db: Kysely<DB>, id: string) {
  return db.selectFrom('push_jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

export type JobRow = Awaited<ReturnType<typeof findJob>> & object;
