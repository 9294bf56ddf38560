import type { Database } from '../../db/create-db.js';
import type { Principal } from '../../domain/principal.js';
import type { VersionStatus } from '../../domain/review-rules.js';
import { AppError } from '../../http/app-error.js';
import type { DatasetRow } from '../datasets/repository.js';
import { findDataset } from '../datasets/repository.js';
import { insertJob, openJob } from '../jobs/repository.js';
import type { JobHandler, JobWorker } from '../jobs/worker-service.js';
import { publicationBy } from './publish-job-repository.js';
import { reviewVersion, type ReviewResult } from './service.js';

/** What a publication job stores: who asked, and their note. */
interface PublishPayload {
  actor: Principal;
  request_id: string;
  note: string | null;
}

export interface AcceptedPublication {
  job_id: string;
  status: 'running';
  dataset_id: string;
  version: number;
  links: { self: string };
}

/** Accepts a publication to run as a job; whether it may happen is the job's to find out. */
export async function enqueuePublication(
  database: Database,
  jobs: Pick<JobWorker, 'wake'>,
  p: { actor: Principal; requestId: string; dataset: DatasetRow; version: number; note: string | undefined },
): Promise<AcceptedPublication> {
  const payload: PublishPayload = { actor: p.actor, request_id: p.requestId, note: p.note ?? null };
  const id = await insertJob(
    database.db,
    { kind: 'publish', dataset_id: p.dataset.id, client_id: p.actor.clientId, format: null, dry_run: null, rows_expected: null, version: p.version, payload, owner: database.instanceId },
    undefined,
  );
  await openJob(database.db, id);
  jobs.wake();
  return { job_id: id, status: 'running', dataset_id: p.dataset.id, version: p.version, links: { self: `/v1/jobs/${id}` } };
}

/** The result an earlier claim of this job got, read back from its audit entry. */
async function earlierPublication(database: Database, datasetId: string, version: number, payload: PublishPayload): Promise<ReviewResult | undefined> {
  const row = await publicationBy(database.db, { datasetId, version, requestId: payload.request_id, actorId: payload.actor.clientId });
  if (!row) return undefined;
  const after = row.after as { status: VersionStatus; note: string | null; supersedes: ReviewResult['supersedes']; reconciliation: ReviewResult['reconciliation'] };
  return {
    dataset_id: datasetId,
    version,
    action: 'publish',
    from_status: (row.before as { status: VersionStatus }).status,
    status: after.status,
    note: after.note,
    reviewed_by: payload.actor.clientId,
    reviewed_at: row.at.toISOString(),
    supersedes: after.supersedes,
    reconciliation: after.reconciliation,
  };
}

/**
 * Publishes a version as a job. A publication commits whole or not at all, so a claim that
 * finds the version already published by this same request (an earlier claim committed it,
 * then lost its process or its lease before recording so) reports that publication.
 */
export const publishJobHandler = (options: { chunkKeys: number }): JobHandler => async (job, database) => {
  const payload = job.payload as unknown as PublishPayload;
  const dataset = await findDataset(database.db, job.datasetId);
  if (!dataset) throw new AppError('DATASET_NOT_FOUND', { id: job.datasetId });
  const version = job.version!;
  const earlier = await earlierPublication(database, dataset.id, version, payload);
  if (earlier) return { version, report: earlier };
  try {
    const result = await reviewVersion(database.db, payload.actor, payload.request_id, dataset, version, { action: 'publish', ...(payload.note ? { note: payload.note } : {}) }, {
      chunkKeys: options.chunkKeys,
      onProgress: (p) => job.progress(p),
    });
    return { version, report: result };
  } catch (err) {
    const published = err instanceof AppError && err.code === 'REVIEW_TRANSITION_INVALID' ? await earlierPublication(database, dataset.id, version, payload) : undefined;
    if (published) return { version, report: published };
    throw err;
  }
};
