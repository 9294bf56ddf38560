import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/app-error.js';
import { recordAudit } from '../audit/record-audit.js';
import type { Principal } from '../../domain/principal.js';
import type { DatasetRow } from '../datasets/repository.js';
import { reconcileVersion, type ReconcileOptions } from '../reconciliation/reconcile.js';
import { blockingFindingCount, lastVerifier, lockVersion, recordReview } from './repository.js';
import { allowedActions, nextStatus, reviewRefusal, tierOf, type ReviewAction, type VersionStatus } from '../../domain/review-rules.js';
import { jurisdictionOf } from '../../domain/jurisdiction.js';
import { refusalError } from '../authority/authority.js';

export interface ReviewResult {
  dataset_id: string;
  version: number;
  action: ReviewAction;
  from_status: VersionStatus;
  status: VersionStatus;
  note: string | null;
  reviewed_by: string;
  reviewed_at: string;
  supersedes: { version: number; keys: number }[];
  /** On publish: what reconciliation made of the version's keys. */
  reconciliation: { keys: number; conflicts: number; changed: number } | null;
}

/**
 * One step of the verification workflow on one version, in one transaction, audited.
 * `publishing` shapes a publication's reconciliation (its progress, for a job running it).
 */
export async function reviewVersion(
  db: Kysely<DB>,
  actor: Principal,
  requestId: string,
  dataset: DatasetRow,
  version: number,
  body: { action: ReviewAction; note?: string | undefined },
  publishing: ReconcileOptions = {},
): Promise<ReviewResult> {
  const note = body.note?.trim() || null;
  if (body.action === 'return' && !note) {
    throw new AppError('VALIDATION_FAILED', {}, [
      {
        location: 'body',
        pointer: '/note',
        code: 'required',
        detail: { id: 'catatan wajib diisi saat mengembalikan versi: tulis apa yang harus diperbaiki', en: 'a note is required when returning a version: say what must be fixed' },
      },
    ]);
  }
  return db.transaction().execute(async (trx) => {
    const row = await lockVersion(trx, dataset.id, version);
    if (!row) throw new AppError('VERSION_NOT_FOUND', { id: dataset.id, version });
    const from = row.status as VersionStatus;
    const to = nextStatus(from, body.action);
    if (!to) {
      const allowed = allowedActions(from);
      throw new AppError(
        'REVIEW_TRANSITION_INVALID',
        { version, status: from, action: body.action, allowed: allowed.length > 0 ? allowed.join(', ') : '-' },
        [],
        { allowed_actions: allowed },
      );
    }
    const reviewerRegion = jurisdictionOf(actor);
    const tier = tierOf(reviewerRegion, dataset.jurisdiction_region_code);
    const refusal = reviewRefusal(body.action, tier, { clientId: actor.clientId, agencyId: actor.agency?.id ?? null }, {
      agencyId: dataset.agency_id,
      submittedBy: row.submitted_by,
      verifiedBy: body.action === 'publish' ? await lastVerifier(trx, row.id) : null,
    });
    if (refusal) throw refusalError(refusal, reviewerRegion, dataset.jurisdiction_region_code);
    if (body.action === 'publish') {
      const blocking = await blockingFindingCount(trx, row.id);
      if (blocking > 0) throw new AppError('VERSION_HAS_OPEN_ERRORS', { version, count: blocking });
    }
    const review = await recordReview(trx, {
      versionId: row.id,
      action: body.action,
      from,
      to,
      actor: { id: actor.clientId, role: actor.role, agency: actor.agency?.code ?? null },
      note,
    });
    // Only published figures are reconciled, and in the same transaction: a version is never
    // published without its figures.
    const published = to === 'published' ? await reconcileVersion(trx, row.id, publishing) : null;
    const supersedes = published?.supersedes ?? [];
    const reconciliation = published && { keys: published.keys, conflicts: published.conflicts, changed: published.changed };
    await recordAudit(trx, {
      actor,
      requestId,
      action: `dataset.version-${to}`,
      entityType: 'dataset',
      entityId: dataset.id,
      before: { version, status: from },
      after: { version, status: to, note, ...(reconciliation ? { supersedes, reconciliation } : {}) },
    });
    return {
      dataset_id: dataset.id,
      version,
      action: body.action,
      from_status: from,
      status: to,
      note,
      reviewed_by: actor.clientId,
      reviewed_at: review.at.toISOString(),
      supersedes,
      reconciliation,
    };
  });
}
