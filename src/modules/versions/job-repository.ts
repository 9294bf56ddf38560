import { sql, type Kysely } from 'kysely';
import { ownerEnded } from '../../db/instance.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/app-error.js';

const lockKey = (id: string) => sql`hashtext(${`push-job:${id}`})`;

/**
 * Taken by the job's own transaction; released when it commits, rolls back or its connection
 * dies. A job already given up for abandoned (its process looked gone) must not store its push
 * after all: its client may be pushing again.
 */
export async function lockJob(db: Kysely<DB>, id: string) {
  await sql`select pg_advisory_xact_lock(${lockKey(id)})`.execute(db);
  const job = await db.selectFrom('push_jobs').select('status').where('id', '=', id).executeTakeFirst();
  if (job?.status !== 'running') throw new AppError('JOB_INTERRUPTED');
}

/** `owner` is the instance id of the process that runs the job (db/instance.ts). */
export async function insertJob(db: Kysely<DB>, j: { dataset_id: string; client_id: string; format: string; dry_run: boolean; rows_expected: number | null; owner: string }) {
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
 * Jobs still marked running whose transaction holds no lock, and whose process `self` is not,
 * lost their process (a crash, a kill): their push rolled back, so they failed. A job from
 * before owners were recorded is given `graceSeconds` to have taken its lock.
 */
export async function failAbandonedJobs(db: Kysely<DB>, graceSeconds: number, self: string): Promise<number> {
  const problem = { code: 'JOB_INTERRUPTED', params: {}, errors: [] };
  const running = await db
    .selectFrom('push_jobs')
    .select('id')
    .where('status', '=', 'running')
    .where((eb) => eb.or([eb('owner', 'is not', null), eb('created_at', '<=', sql<Date>`now() - make_interval(secs => ${graceSeconds})`)]))
    .execute();
  let failed = 0;
  for (const { id } of running) {
    const abandoned = await db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ gone: boolean }>`
        select pg_try_advisory_xact_lock(${lockKey(id)}) and (owner is null or coalesce(${ownerEnded(sql.ref('owner'), self)}, false)) as gone
        from push_jobs where id = ${id}`.execute(trx);
      if (!rows[0]?.gone) return false;
      await finishJob(trx, id, { status: 'failed', problem });
      return true;
    });
    if (abandoned) failed++;
  }
  return failed;
}
