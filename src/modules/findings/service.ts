import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/app-error.js';
import { recordAudit } from '../audit/record-audit.js';
import type { Principal } from '../../domain/principal.js';
import { tierOf } from '../../domain/review-rules.js';
import { refusalError } from '../authority/authority.js';
import { presentFindingItem } from './present.js';
import { findFinding, lockFinding, setAnswer, setResolution, type StoredFindingRow } from './repository.js';
import { jurisdictionOf } from '../../domain/jurisdiction.js';

/** A finding this caller may see: producers only their own agency's; others 404. */
export async function visibleFinding(db: Kysely<DB>, viewer: Principal, id: string): Promise<StoredFindingRow> {
  const row = await findFinding(db, id);
  if (!row || (viewer.role === 'producer' && viewer.agency?.id !== row.agency_id)) throw new AppError('FINDING_NOT_FOUND', { id });
  return row;
}

async function lockedFinding(trx: Kysely<DB>, id: string): Promise<StoredFindingRow> {
  const row = (await lockFinding(trx, id)) && (await findFinding(trx, id));
  if (!row) throw new AppError('FINDING_NOT_FOUND', { id });
  return row;
}

const auditFacts = (row: StoredFindingRow) => ({ dataset_id: row.dataset_id, version: row.version, code: row.code });

/** The owning agency explains a figure; it can refine its answer until a walidata decides. */
export async function answerFinding(db: Kysely<DB>, actor: Principal, requestId: string, id: string, answer: string) {
  return db.transaction().execute(async (trx) => {
    const row = await lockedFinding(trx, id);
    if (actor.agency?.id !== row.agency_id) throw new AppError('AGENCY_SCOPE_FORBIDDEN', { agency: actor.agency?.code ?? actor.role });
    if (row.status !== 'open' && row.status !== 'answered') throw new AppError('FINDING_CLOSED', { id, status: row.status });
    await setAnswer(trx, id, answer, actor.clientId);
    await recordAudit(trx, {
      actor,
      requestId,
      action: 'finding.answered',
      entityType: 'finding',
      entityId: id,
      before: { status: row.status, answer: row.answer },
      after: { ...auditFacts(row), status: 'answered', answer },
    });
    return presentFindingItem((await findFinding(trx, id))!);
  });
}

/** A walidata of the agency's region (or above) closes a finding: explained, or confirmed as an error. */
export async function resolveFinding(db: Kysely<DB>, actor: Principal, requestId: string, id: string, body: { status: 'explained' | 'confirmed-error'; note: string }) {
  return db.transaction().execute(async (trx) => {
    const row = await lockedFinding(trx, id);
    const reviewerRegion = jurisdictionOf(actor);
    if (tierOf(reviewerRegion, row.jurisdiction_region_code) === 'outside') throw refusalError('outside-region', reviewerRegion, row.jurisdiction_region_code);
    await setResolution(trx, id, body.status, body.note, actor.clientId);
    await recordAudit(trx, {
      actor,
      requestId,
      action: `finding.${body.status}`,
      entityType: 'finding',
      entityId: id,
      before: { status: row.status, note: row.resolution_note },
      after: { ...auditFacts(row), status: body.status, note: body.note },
    });
    return presentFindingItem((await findFinding(trx, id))!);
  });
}
