import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

const lockKey = (id: string) => sql`hashtext(${`push-job:${id}`})`;

/** Taken by the job's own transaction; released when it commits, rolls back or its connection dies. */
export async function lockJob(db: Kysely<DB>, id: string) {
  await sql`select pg_advisory_xact_lock(${lockKey(id)})`.execute(db);
}

export async function insertJob(db: Kysely<DB>, j: { dataset_id: string; client_id: string; format: string; dry_run: boolean; rows_expected: number | null }) {
  const row = await db.insertInto('push_jobs').values({ ...j, status: 'running', report: null, problem: null }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export function findJob(db: Kysely<DB>, id: string) {
  return db.selectFrom('push_jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

export type JobRow = Awaited<ReturnType<typeof findJob>> & object;

export async function finishJob(db: Kysely<DB>, id: string, outcome: { status: 'succeeded'; version: number | null; report: object } | { status: 'failed'; problem: object }) {
  await db
    .updateTable('push_jobs')
    .set({
      status: outcome.status,
      finished_at: sql`now()`,
      ...(outcome.status === 'succeeded' ? { version: outcome.version, report: JSON.stringify(outcome.report) } : { problem: JSON.stringify(outcome.problem) }),
    })
    .where('id', '=', id)
    .execute();
}

/**
 * Jobs still marked running whose transaction holds no lock lost their process (a crash, a
 * kill): their push rolled back, so they failed. Jobs younger than `graceSeconds` are left
 * alone: another instance's transaction may not have taken its lock yet.
 */
export async function failAbandonedJobs(db: Kysely<DB>, graceSeconds: number): Promise<number> {
  const problem = { code: 'JOB_INTERRUPTED', params: {}, errors: [] };
  const running = await db
    .selectFrom('push_jobs')
    .select('id')
    .where('status', '=', 'running')
    .where('created_at', '<=', sql<Date>`now() - make_interval(secs => ${graceSeconds})`)
    .execute();
  let failed = 0;
  for (const { id } of running) {
    const abandoned = await db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ free: boolean }>`select pg_try_advisory_xact_lock(${lockKey(id)}) as free`.execute(trx);
      if (!rows[0]?.free) return false;
      await finishJob(trx, id, { status: 'failed', problem });
      return true;
    });
    if (abandoned) failed++;
  }
  return failed;
}
