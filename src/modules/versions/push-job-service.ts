import type { InputLimits } from '../../config.js';
import type { Principal } from '../../domain/principal.js';
import { AppError } from '../../http/app-error.js';
import { findDataset } from '../datasets/repository.js';
import type { JobHandler } from '../jobs/worker-service.js';
import { pushVersion, type PushFormat, type PushProgress } from './ingest.js';
import type { PushOpener } from './push-source.js';
import { spool } from './spool.js';

/** What a push job stores beside its body: who pushed, and how to read the body again. */
export interface PushPayload {
  actor: Principal;
  request_id: string;
  dry_run: boolean;
  source: { format: PushFormat; sha256: string; options: Record<string, unknown> };
}

/**
 * Runs a push job in whichever process claimed it: the body comes from the database to a local
 * file, is read as the request would have read it, and stored as the same version in one
 * transaction that also records the job's outcome.
 */
export function pushJobHandler(settings: { memoryPoints: number; slicePoints: number; limits: InputLimits }, openers: Readonly<Record<string, PushOpener>>): JobHandler {
  return async (job, database) => {
    const payload = job.payload as unknown as PushPayload;
    const dataset = await findDataset(database.db, job.datasetId);
    if (!dataset) throw new AppError('DATASET_NOT_FOUND', { id: job.datasetId });
    const open = openers[payload.source.format];
    if (!open) throw new AppError('UNSUPPORTED_MEDIA_TYPE', { type: payload.source.format });
    const body = await spool(job.body());
    try {
      const source = await open({ path: body.path, sha256: body.sha256 }, payload.source.options, settings.limits);
      let shown: PushProgress = { rows_read: 0, accepted: 0, errors: 0, warnings: 0 };
      const report = await pushVersion(database, payload.actor, payload.request_id, dataset, source, {
        dryRun: payload.dry_run,
        memoryPoints: settings.memoryPoints,
        slicePoints: settings.slicePoints,
        job: {
          progress: (p) => {
            // A push that met a repeated key is read again from its start: its progress does not go back.
            if (p.rows_read >= shown.rows_read) shown = p;
            job.progress(shown);
          },
          enter: job.enter,
          // The local copy goes before the job can be seen ended, so an ended job has left nothing behind.
          commit: async (trx, outcome) => {
            await body.dispose();
            await job.commit(trx, outcome);
          },
        },
      });
      return { version: report.version, report };
    } finally {
      await body.dispose();
    }
  };
}
