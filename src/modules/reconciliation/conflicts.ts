import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/app-error.js';
import { recordAudit } from '../audit/record-audit.js';
import type { Principal } from '../../domain/principal.js';
import { tierOf } from '../../domain/review-rules.js';
import { refusalError } from '../authority/authority.js';
import type { Candidate } from './policy.js';
import { findConflict, lockConflictIndicator, saveConflicts, writeFigures, type ConflictRow, type KeyCandidates } from './repository.js';
import { jurisdictionOf } from '../../domain/jurisdiction.js';

export interface ResolveBody {
  /** Choose the figure of this agency (code) among the candidates. */
  agency?: string | undefined;
  /** Or enter an adjudicated value, with a rationale. */
  value?: number | undefined;
  rationale?: string | undefined;
  /** Re-decide a conflict already resolved. */
  reopen?: boolean | undefined;
}

const bodyError = (pointer: string, code: string, id: string, en: string) =>
  new AppError('VALIDATION_FAILED', {}, [{ location: 'body', pointer, code, detail: { id, en } }]);

async function lockedConflict(db: Kysely<DB>, actor: Principal, id: string): Promise<ConflictRow> {
  const row = await findConflict(db, id, { forUpdate: true });
  if (!row) throw new AppError('CONFLICT_NOT_FOUND', { id });
  const region = jurisdictionOf(actor);
  if (tierOf(region, row.region_code) === 'outside') throw refusalError('outside-region', region, row.region_code);
  return row;
}

function keyOf(row: ConflictRow): KeyCandidates {
  return { indicator_code: row.indicator_code, region_code: row.region_code, period: row.period, disagg_key: row.disagg_key, disagg: row.disagg, candidates: row.candidates as Candidate[] };
}

/** A walidata settles a conflict: one agency's figure, or an adjudicated value with its rationale. */
export async function resolveConflict(db: Kysely<DB>, actor: Principal, requestId: string, id: string, body: ResolveBody) {
  if ((body.agency === undefined) === (body.value === undefined)) {
    throw bodyError('/agency', 'one-of', 'pilih salah satu: "agency" (angka salah satu instansi) atau "value" (angka hasil adjudikasi)', 'give exactly one of "agency" (one agency\'s figure) or "value" (an adjudicated figure)');
  }
  const rationale = body.rationale?.trim() || null;
  if (body.value !== undefined && !rationale) {
    throw bodyError('/rationale', 'required', 'angka hasil adjudikasi wajib disertai alasan (mis. notulen rapat rekonsiliasi)', 'an adjudicated value needs a rationale (e.g. the minutes of the reconciliation meeting)');
  }
  return db.transaction().execute(async (trx) => {
    await lockConflictIndicator(trx, id);
    const row = await lockedConflict(trx, actor, id);
    if (row.status === 'resolved' && !body.reopen) throw new AppError('CONFLICT_ALREADY_RESOLVED', { id });
    const key = keyOf(row);
    let source: Candidate | null = null;
    if (body.agency !== undefined) {
      source = key.candidates.find((c) => c.agency === body.agency) ?? null;
      if (!source) {
        throw new AppError('REFERENCE_INVALID', {}, [
          {
            location: 'body',
            pointer: '/agency',
            code: 'not-a-candidate',
            detail: { id: `"${body.agency}" bukan salah satu kandidat: ${key.candidates.map((c) => c.agency).join(', ')}`, en: `"${body.agency}" is not one of the candidates: ${key.candidates.map((c) => c.agency).join(', ')}` },
          },
        ]);
      }
    }
    const value = source ? source.value : String(body.value);
    const resolution = { method: 'manual', value, source, rationale, automatic: false };
    await saveConflicts(trx, [{ key, state: { status: 'resolved', proposal: null, resolution, resolvedBy: actor.clientId } }]);
    await writeFigures(trx, [
      {
        key,
        kind: 'resolved',
        state: { status: 'final', value, method: 'manual', sourceVersionId: source?.version_id ?? null, conflictId: id, rationale, decidedBy: actor.clientId },
      },
    ]);
    await recordAudit(trx, { actor, requestId, action: 'conflict.resolved', entityType: 'conflict', entityId: id, before: { status: row.status, resolution: row.resolution }, after: { status: 'resolved', resolution } });
    return (await findConflict(trx, id))!;
  });
}

/** A walidata takes a decision back: the figure is disputed again until someone resolves it. */
export async function reopenConflict(db: Kysely<DB>, actor: Principal, requestId: string, id: string, rationale: string) {
  return db.transaction().execute(async (trx) => {
    await lockConflictIndicator(trx, id);
    const row = await lockedConflict(trx, actor, id);
    if (row.status === 'open') throw new AppError('CONFLICT_ALREADY_OPEN', { id });
    const key = keyOf(row);
    await saveConflicts(trx, [{ key, state: { status: 'open', proposal: row.proposal, resolution: null, resolvedBy: null } }]);
    await writeFigures(trx, [
      { key, kind: 'disputed', state: { status: 'disputed', value: null, method: null, sourceVersionId: null, conflictId: id, rationale, decidedBy: actor.clientId } },
    ]);
    await recordAudit(trx, { actor, requestId, action: 'conflict.reopened', entityType: 'conflict', entityId: id, before: { status: row.status, resolution: row.resolution }, after: { status: 'open', rationale } });
    return (await findConflict(trx, id))!;
  });
}
