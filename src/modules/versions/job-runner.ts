import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { isDatabaseUnavailable } from '../../db/errors.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/app-error.js';
import type { PushProgress, PushReport } from './ingest.js';
import { finishJob } from './job-repository.js';

/** What a failed job keeps: enough to render its problem in the reader's language later. */
export interface StoredProblem {
  code: AppError['code'];
  params: AppError['params'];
  errors: AppError['errors'];
}

export function storedProblem(err: unknown): StoredProblem {
  if (err instanceof AppError) return { code: err.code, params: err.params, errors: err.errors };
  // As a request would have been answered: the client may push again once the database is back.
  return { code: isDatabaseUnavailable(err) ? 'DATABASE_UNAVAILABLE' : 'INTERNAL_ERROR', params: {}, errors: [] };
}

// A job's end is recorded even if the database is briefly away then (the connection that
// failed the push may have been cut with all the others): otherwise the job would show
// `running` until a restart noticed it.
const RECORD_ATTEMPTS = 6;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs pushes after their request has been answered and remembers their progress. Progress
 * lives in memory because the push's own transaction cannot show it to anyone before it
 * commits; the outcome is written to push_jobs when the job ends.
 */
export class JobRunner {
  private readonly live = new Map<string, { progress: PushProgress; done: Promise<void> }>();

  constructor(
    private readonly db: Kysely<DB>,
    private readonly log: FastifyBaseLogger,
  ) {}

  start(id: string, work: (progress: (p: PushProgress) => void) => Promise<PushReport>, dispose: () => Promise<void>): void {
    const entry = { progress: { rows_read: 0, accepted: 0, errors: 0, warnings: 0 }, done: Promise.resolve() };
    this.live.set(id, entry);
    entry.done = (async () => {
      let outcome: Parameters<typeof finishJob>[2];
      try {
        const report = await work((p) => {
          // A push that met a repeated key is read again from its start: its progress does not go back.
          if (p.rows_read >= entry.progress.rows_read) entry.progress = p;
        });
        outcome = { status: 'succeeded', version: report.version, report };
      } catch (err) {
        if (!(err instanceof AppError)) this.log.error({ err, job: id }, 'push job failed');
        outcome = { status: 'failed', problem: storedProblem(err) };
      }
      // The spool goes before the job is reported ended, so an ended job has left nothing behind.
      await dispose().catch((e: unknown) => this.log.warn({ err: e, job: id }, 'could not remove a push spool file'));
      await this.record(id, outcome);
      this.live.delete(id);
    })();
  }

  private async record(id: string, outcome: Parameters<typeof finishJob>[2]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await finishJob(this.db, id, outcome);
      } catch (err) {
        if (attempt === RECORD_ATTEMPTS || !isDatabaseUnavailable(err)) {
          this.log.error({ err, job: id }, 'could not record the end of a job');
          return;
        }
        await sleep(250 * 2 ** attempt);
      }
    }
  }

  /** Progress of a job running in this process, if it is. */
  progress(id: string): PushProgress | undefined {
    return this.live.get(id)?.progress;
  }

  /** Waits for every running job: a graceful shutdown lets them finish. */
  async drain(): Promise<void> {
    await Promise.all([...this.live.values()].map((e) => e.done));
  }
}
