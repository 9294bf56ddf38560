import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/app-error.js';
import { unknownCode } from '../../http/field-errors.js';
import { recordAudit } from '../audit/record-audit.js';
import type { Principal } from '../../domain/principal.js';
import { existingIndicatorCodes } from '../indicators/repository.js';
import { reannounceReclassified } from '../reconciliation/reclassify.js';
import { presentDataset } from './present.js';
import { findDataset, insertDataset, lockDataset, updateDataset, type DatasetRow } from './repository.js';
import type { DatasetCreateBody, DatasetPatchBody } from './schemas.js';

/** A dataset visible to this caller, or 404: a dataset one may not see does not exist for one. */
export async function visibleDataset(db: Kysely<DB>, viewer: Principal, id: string): Promise<DatasetRow> {
  const row = await findDataset(db, id);
  const open = row?.metadata.access_classification === 'terbuka';
  const own = row !== undefined && viewer.agency?.id === row.agency_id;
  const sees = viewer.role === 'walidata' || viewer.role === 'admin' || own || open;
  if (!row || !sees) throw new AppError('DATASET_NOT_FOUND', { id });
  return row;
}

/**
 * A dataset whose working material (versions, reports, history) this caller may read: its
 * own agency's producers, walidata and admin. Other producers get 403 even for open datasets.
 */
export async function workingDataset(db: Kysely<DB>, viewer: Principal, id: string): Promise<DatasetRow> {
  const row = await visibleDataset(db, viewer, id);
  if (viewer.role === 'producer' && viewer.agency?.id !== row.agency_id) throw new AppError('AGENCY_SCOPE_FORBIDDEN', { agency: viewer.agency?.code ?? '' });
  return row;
}

/** Only the producers of the owning agency change a dataset or push to it. */
export function assertOwner(viewer: Principal, row: DatasetRow): void {
  if (viewer.role !== 'producer' || viewer.agency?.id !== row.agency_id) {
    throw new AppError('AGENCY_SCOPE_FORBIDDEN', { agency: viewer.agency?.code ?? viewer.role });
  }
}

async function assertIndicatorsExist(db: Kysely<DB>, codes: string[]) {
  const existing = await existingIndicatorCodes(db, codes);
  const errors = codes.flatMap((code, i) => (existing.has(code) ? [] : [unknownCode(`/indicators/${i}`, code, 'indicators')]));
  if (errors.length > 0) throw new AppError('REFERENCE_INVALID', {}, errors);
}

export async function createDataset(db: Kysely<DB>, actor: Principal, requestId: string, body: DatasetCreateBody) {
  if (!actor.agency) throw new AppError('FORBIDDEN', { role: actor.role, allowed: 'producer' });
  const agencyId = actor.agency.id;
  return db.transaction().execute(async (trx) => {
    await assertIndicatorsExist(trx, body.indicators);
    const { title, indicators, ...metadata } = body;
    const id = await insertDataset(trx, { agency_id: agencyId, title, indicator_codes: indicators, metadata, created_by: actor.clientId });
    const created = presentDataset((await findDataset(trx, id))!);
    await recordAudit(trx, { actor, requestId, action: 'dataset.created', entityType: 'dataset', entityId: id, after: created });
    return created;
  });
}

export async function patchDataset(db: Kysely<DB>, actor: Principal, requestId: string, id: string, patch: DatasetPatchBody) {
  return db.transaction().execute(async (trx) => {
    // Two edits at once must not build on the same read: one would undo the other's change,
    // a classification among them, after its figures were re-announced.
    await lockDataset(trx, id);
    const current = await visibleDataset(trx, actor, id);
    assertOwner(actor, current);
    const { title, indicators, ...metadataPatch } = patch;
    if (indicators) await assertIndicatorsExist(trx, indicators);
    const before = presentDataset(current);
    const update = () =>
      updateDataset(trx, id, {
        title: title ?? current.title,
        indicator_codes: indicators ?? current.indicator_codes,
        metadata: { ...current.metadata, ...metadataPatch },
      });
    // The classification decides what consumers see of the dataset's figures: the change feed must say so.
    if (metadataPatch.access_classification === undefined) await update();
    else await reannounceReclassified(trx, id, update);
    const after = presentDataset((await findDataset(trx, id))!);
    await recordAudit(trx, { actor, requestId, action: 'dataset.updated', entityType: 'dataset', entityId: id, before, after });
    return after;
  });
}
