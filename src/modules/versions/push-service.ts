import type { Database } from '../../db/create-db.js';
import type { Principal } from '../../domain/principal.js';
import type { DatasetRow } from '../datasets/repository.js';
import { claimKey } from './idempotency.js';
import { pushVersion, type PushReport } from './ingest.js';
import { insertJob } from './job-repository.js';
import type { JobRunner } from './job-runner.js';
import type { PreparedPush } from './push-source.js';

export interface PushSettings {
  /** Pushes of more rows than this run as a job (PUSH_ASYNC_ROWS). */
  asyncRows: number;
  memoryPoints: number;
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
export async function push(database: Database, jobs: Pick<JobRunner, 'start'>, settings: PushSettings, req: PushRequest): Promise<PushOutcome> {
  const { actor, dataset, dryRun } = req;
  const claim = req.idempotencyKey ? await claimKey(database, actor.clientId, req.idempotencyKey, { datasetId: dataset.id, dryRun }) : undefined;
  let prepared: PreparedPush | undefined;
  let handedOver = false;
  try {
    prepared = await req.read();
    const sha256 = prepared.source.sha256();
    // Same key: answer as the first time, provided it really is the same body.
    const replay = await claim?.replay(sha256);
    if (replay) return { kind: 'replayed', ...replay };
    if (req.preferAsync || (prepared.rows ?? 0) > settings.asyncRows) {
      const source = prepared.source;
      const jobId = await insertJob(database.db, { dataset_id: dataset.id, client_id: actor.clientId, format: source.format, dry_run: dryRun, rows_expected: prepared.rows, owner: database.instanceId });
      const job: AcceptedJob = { job_id: jobId, status: 'running', dataset_id: dataset.id, rows_expected: prepared.rows, links: { self: `/v1/jobs/${jobId}` } };
      // The key records the job before it starts: if that fails, no job runs that the client never heard of.
      await claim?.complete({ requestSha256: sha256, status: 202, body: job });
      jobs.start(jobId, (progress) => pushVersion(database, actor, req.requestId, dataset, source, { dryRun, memoryPoints: settings.memoryPoints, job: { id: jobId, progress } }), prepared.dispose);
      handedOver = true;
      return { kind: 'accepted', job, preferenceApplied: req.preferAsync };
    }
    const report = await pushVersion(claim?.guard(database) ?? database, actor, req.requestId, dataset, prepared.source, { dryRun, memoryPoints: settings.memoryPoints });
    const status = dryRun ? 200 : 201;
    await claim?.complete({ requestSha256: report.content_sha256, status, body: report });
    return { kind: 'pushed', status, report };
  } catch (err) {
    await claim?.release();
    throw err;
  } finally {
    if (!handedOver) await prepared?.dispose();
  }
}
