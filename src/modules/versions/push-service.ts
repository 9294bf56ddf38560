import type { Database } from '../../db/create-db.js';
import type { Principal } from '../../domain/principal.js';
import type { DatasetRow } from '../datasets/repository.js';
import { claimKey } from './idempotency.js';
import { pushVersion, type PushReport } from './ingest.js';
import { dropJob, insertJob, openJob } from '../jobs/repository.js';
import type { JobWorker } from '../jobs/worker-service.js';
import type { PreparedPush } from './push-source.js';
import type { PushPayload } from './push-job-service.js';

export interface PushSettings {
  /** Pushes of more rows than this run as a job (PUSH_ASYNC_ROWS). */
  asyncRows: number;
  memoryPoints: number;
  slicePoints: number;
}

export interface PushRequest {
  actor: Principal;
  requestId: string;
  dataset: DatasetRow;
  dryRun: boolean;
  idempotencyKey: string | undefined;
  /** The client sent `Prefer: respond-async`. */
  preferAsync: boolean;
  /** Reads the body to its end (CSV into a spool file), so its size is known. */
  read: () => Promise<PreparedPush>;
}

export interface AcceptedJob {
  job_id: string;
  status: 'running';
  dataset_id: string;
  rows_expected: number | null;
  links: { self: string };
}

export type PushOutcome =
  | { kind: 'replayed'; status: number; body: Record<string, unknown> }
  | { kind: 'accepted'; job: AcceptedJob; preferenceApplied: boolean }
  | { kind: 'pushed'; status: 200 | 201; report: PushReport };

/**
 * One push, start to answer: the Idempotency-Key is claimed before the body is read and
 * released if the push fails; a repeated key replays its first answer; a large push (or one
 * that asked) becomes a job, recorded under the key before it starts.
 */
export async function push(database: Database, jobs: Pick<JobWorker, 'wake'>, settings: PushSettings, req: PushRequest): Promise<PushOutcome> {
  const { actor, dataset, dryRun } = req;
  const claim = req.idempotencyKey ? await claimKey(database, actor.clientId, req.idempotencyKey, { datasetId: dataset.id, dryRun }) : undefined;
  let prepared: PreparedPush | undefined;
  try {
    prepared = await req.read();
    const sha256 = prepared.source.sha256();
    // Same key: answer as the first time, provided it really is the same body.
    const replay = await claim?.replay(sha256);
    if (replay) return { kind: 'replayed', ...replay };
    if (req.preferAsync || (prepared.rows ?? 0) > settings.asyncRows) {
      const { source, stored } = prepared;
      const payload: PushPayload = { actor, request_id: req.requestId, dry_run: dryRun, source: { format: source.format, sha256, options: stored.options } };
      const jobId = await insertJob(
        database.db,
        { kind: 'push', dataset_id: dataset.id, client_id: actor.clientId, format: source.format, dry_run: dryRun, rows_expected: prepared.rows, version: null, payload, owner: database.instanceId },
        stored.bytes(),
      );
      const job: AcceptedJob = { job_id: jobId, status: 'running', dataset_id: dataset.id, rows_expected: prepared.rows, links: { self: `/v1/jobs/${jobId}` } };
      // The key records the job before it can run: if that fails, no job runs that the client never heard of.
      try {
        await claim?.complete({ requestSha256: sha256, status: 202, body: job });
      } catch (err) {
        await dropJob(database.db, jobId);
        throw err;
      }
      // Should this fail, the job is answered for all the same: it runs once this process has ended.
      await openJob(database.db, jobId).catch(() => undefined);
      jobs.wake();
      return { kind: 'accepted', job, preferenceApplied: req.preferAsync };
    }
    const report = await pushVersion(claim?.guard(database) ?? database, actor, req.requestId, dataset, prepared.source, { dryRun, memoryPoints: settings.memoryPoints, slicePoints: settings.slicePoints });
    const status = dryRun ? 200 : 201;
    await claim?.complete({ requestSha256: report.content_sha256, status, body: report });
    return { kind: 'pushed', status, report };
  } catch (err) {
    await claim?.release();
    throw err;
  } finally {
    // A job has its own copy of the body, in the database.
    await prepared?.dispose();
  }
}
