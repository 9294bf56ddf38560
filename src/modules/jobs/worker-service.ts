import type { Kysely } from 'kysely';
import type { JobConfig } from '../../config.js';
import type { Database } from '../../db/create-db.js';
import { isDatabaseUnavailable } from '../../db/errors.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/app-error.js';
import { claimJobs, finishJob, jobBody, lockJob, releaseJob, renewLease, type Claim, type ClaimedJob, type JobOutcome } from './repository.js';

/** What a failed job keeps: enough to render its problem in the reader's language later. */
export interface StoredProblem {
  code: AppError['code'];
  params: AppError['params'];
  errors: AppError['errors'];
}

export function storedProblem(err: unknown): StoredProblem {
  if (err instanceof AppError) return { code: err.code, params: err.params, errors: err.errors };
  // As a request would have been answered: the client may try again once the database is back.
  return { code: isDatabaseUnavailable(err) ? 'DATABASE_UNAVAILABLE' : 'INTERNAL_ERROR', params: {}, errors: [] };
}

/** Thrown into a job's work once its claim is over (the lease was lost, or this process stops). */
export class LeaseLost extends Error {
  constructor() {
    super('the job is no longer this claim\'s');
  }
}


/** A claimed job, as its handler sees it. */
export interface RunningJob {
  id: string;
  attempt: number;
  datasetId: string;
  clientId: string;
  /** The version a publication publishes (a push's is known once it is stored). */
  version: number | null;
  payload: Record<string, unknown>;
  /** The stored body (a push's), read a few chunks at a time. */
  body(): AsyncIterable<Buffer>;
  /** Progress so far: shown by this process at once, by the others after the next heartbeat. Throws LeaseLost once the claim is over. */
  progress(p: object): void;
  /** First thing in the transaction that does the job's work: waits for an earlier claim's, then throws LeaseLost unless this claim still holds the job. */
  enter(trx: Kysely<DB>): Promise<void>;
  /** Last thing in that transaction: the job's outcome commits with its work, or neither does. */
  commit(trx: Kysely<DB>, outcome: { version: number | null; report: object }): Promise<void>;
}

/** Does a job of one kind; its answer is what the job reports once succeeded. */
export type JobHandler = (job: RunningJob, database: Database) => Promise<{ version: number | null; report: object }>;

// A job's end is recorded even if the database is briefly away then: otherwise the job would
// show `running` until its lease ran out and another process ran it again.
const RECORD_ATTEMPTS = 6;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Live {
  claim: Claim;
  progress: object | null;
  controller: AbortController;
  done: Promise<void>;
}

type Log = { info(details: object, message: string): void; error(details: object, message: string): void; warn(details: object, message: string): void };

/**
 * Runs the durable jobs (push_jobs) of every process sharing the database: each process claims
 * jobs nobody runs, up to `concurrency` at a time, renews their leases while it works, and
 * writes their progress so any process can show it. A job's work commits together with its
 * outcome, fenced by its claim, so a job retried after its process died (or stalled past its
 * lease) ends with one outcome, never two.
 */
export class JobWorker {
  private readonly live = new Map<string, Live>();
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private passing: Promise<void> | undefined;
  private again = false;
  private renewing = false;
  private started = false;
  private stopped = false;

  constructor(
    private readonly database: Database,
    private readonly settings: JobConfig,
    private readonly handlers: Readonly<Record<string, JobHandler>>,
    private readonly log: Log,
  ) {}

  start(): void {
    if (!this.settings.worker || this.started) return;
    this.started = true;
    this.heartbeat = setInterval(() => void this.renew(), Math.min(1000, Math.floor(this.settings.leaseMs / 3)));
    this.heartbeat.unref();
    this.wake();
  }

  /** Looks for jobs now (one was just accepted, or a slot freed) rather than at the next poll. */
  wake(): void {
    if (!this.started || this.stopped) return;
    if (this.passing) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.passing = this.pass()
      .catch((err: unknown) => this.log.warn({ err }, 'looking for jobs failed'))
      .finally(() => {
        this.passing = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.wake();
          return;
        }
        this.timer = setTimeout(() => this.wake(), this.settings.pollMs);
        this.timer.unref();
      });
  }

  /** Resolves once this process has no job running and is not looking for one (one it just accepted is found first). */
  async drain(): Promise<void> {
    while (this.passing || this.live.size > 0) {
      await this.passing;
      await Promise.all([...this.live.values()].map((e) => e.done));
    }
  }

  /** Progress of a job this process runs, if it does. */
  progress(id: string): object | null | undefined {
    return this.live.get(id)?.progress;
  }

  private async pass(): Promise<void> {
    const free = this.settings.concurrency - this.live.size;
    if (free <= 0) return;
    const claimed = await claimJobs(this.database.db, { owner: this.database.instanceId, leaseMs: this.settings.leaseMs, limit: free, running: [...this.live.keys()] });
    for (const job of claimed) this.run(job);
  }

  private run(job: ClaimedJob): void {
    const claim = { id: job.id, attempt: job.attempts };
    const controller = new AbortController();
    const entry: Live = { claim, progress: null, controller, done: Promise.resolve() };
    this.live.set(job.id, entry);
    this.log.info({ job: job.id, kind: job.kind, attempt: job.attempts }, 'job claimed');
    entry.done = (async () => {
      let outcome: JobOutcome | undefined;
      try {
        outcome = await this.work(job, entry);
      } catch (err) {
        outcome = await this.afterFailure(claim, err, controller.signal.aborted);
      }
      if (outcome) await this.record(claim, outcome);
      this.live.delete(job.id);
      this.wake();
    })();
  }

  private async work(job: ClaimedJob, entry: Live): Promise<JobOutcome> {
    const handler = this.handlers[job.kind];
    // Claimed this often, the job has taken its process down each time (or a job of the previous
    // release, whose body was in its process's file, is still here): it is not tried again.
    if (job.attempts > this.settings.maxAttempts || !job.payload || !handler) return { status: 'failed', problem: storedProblem(new AppError('JOB_INTERRUPTED')) };
    const { claim, controller } = entry;
    const result = await handler(
      {
        id: job.id,
        attempt: claim.attempt,
        datasetId: job.dataset_id,
        clientId: job.client_id,
        version: job.version,
        payload: job.payload,
        body: () => jobBody(this.database.db, job.id),
        progress: (p) => {
          if (controller.signal.aborted) throw new LeaseLost();
          entry.progress = p;
        },
        enter: async (trx) => {
          if (!(await lockJob(trx, claim))) throw new LeaseLost();
        },
        commit: async (trx, done) => {
          if (!(await finishJob(trx, claim, { status: 'succeeded', ...done }))) throw new LeaseLost();
        },
      },
      this.database,
    );
    return { status: 'succeeded', ...result };
  }

  /** A bad request fails the job; trouble of the moment (the database went away) is retried by whichever process is free. */
  private async afterFailure(claim: Claim, err: unknown, aborted: boolean): Promise<JobOutcome | undefined> {
    if (err instanceof LeaseLost || aborted) {
      // Unless this process is stopping, the claim is over because it stalled past its lease (a
      // paused or starved process): whatever it wrote rolls back with its transaction.
      if (!this.stopped) this.log.warn({ job: claim.id, attempt: claim.attempt }, 'job lease lost: another process has taken the job; this attempt is abandoned');
      return undefined;
    }
    if (err instanceof AppError || claim.attempt >= this.settings.maxAttempts) {
      if (!(err instanceof AppError)) this.log.error({ err, job: claim.id }, 'job failed');
      return { status: 'failed', problem: storedProblem(err) };
    }
    this.log.warn({ err, job: claim.id, attempt: claim.attempt }, 'job failed; it will be tried again');
    await releaseJob(this.database.db, claim, this.settings.retryMs * Math.min(60, 2 ** claim.attempt)).catch((e: unknown) =>
      this.log.warn({ err: e, job: claim.id }, 'could not give a job back; its lease will expire'),
    );
    return undefined;
  }

  private async record(claim: Claim, outcome: JobOutcome): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await finishJob(this.database.db, claim, outcome);
        return;
      } catch (err) {
        if (attempt === RECORD_ATTEMPTS || !isDatabaseUnavailable(err)) {
          this.log.error({ err, job: claim.id }, 'could not record the end of a job; its lease will expire and it will run again');
          return;
        }
        await sleep(250 * 2 ** attempt);
      }
    }
  }

  /** Renews every lease this process holds; a job whose claim is over is stopped at its next step. */
  private async renew(): Promise<void> {
    // One round at a time: on PGlite a round waits for the running job's transaction.
    if (this.renewing) return;
    this.renewing = true;
    try {
      await this.renewAll();
    } finally {
      this.renewing = false;
    }
  }

  private async renewAll(): Promise<void> {
    await Promise.all(
      [...this.live.values()].map(async (entry) => {
        const held = await renewLease(this.database.db, { ...entry.claim, owner: this.database.instanceId }, this.settings.leaseMs, entry.progress).catch((err: unknown) => {
          // Not lost yet: the lease runs for a while, and the next heartbeat tries again.
          this.log.warn({ err, job: entry.claim.id }, 'could not renew a job lease');
          return true;
        });
        if (!held && this.live.get(entry.claim.id) === entry) entry.controller.abort();
      }),
    );
  }

  /**
   * Stops claiming; lets running jobs finish for up to `drainMs`, then stops the others and
   * gives them back at once for another process (their transactions roll back here).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.passing;
    const running = () => Promise.all([...this.live.values()].map((e) => e.done));
    let timeout: NodeJS.Timeout | undefined;
    const drained = await Promise.race([running().then(() => true), new Promise<false>((resolve) => (timeout = setTimeout(() => resolve(false), this.settings.drainMs)))]);
    clearTimeout(timeout);
    clearInterval(this.heartbeat);
    if (!drained) {
      for (const entry of this.live.values()) {
        entry.controller.abort();
        await releaseJob(this.database.db, entry.claim, 0).catch(() => undefined);
      }
      await running();
    }
  }
}
