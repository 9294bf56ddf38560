import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError, type FieldError } from '../../http/app-error.js';
import { unknownCode } from '../../http/field-errors.js';
import { sqlState } from '../../db/errors.js';
import { recordAudit } from '../audit/record-audit.js';
import { requireAgencyJurisdictionChange } from '../authority/authority.js';
import type { Principal } from '../../domain/principal.js';
import { loadCodeSets } from '../codelists/repository.js';
import { findRegion } from '../regions/repository.js';
import { findAgency, findAgencyId, insertAgency, updateAgency, type AgencyRow } from './repository.js';
import type { AgencyCreateBody, AgencyPatchBody } from './schemas.js';

export function presentAgency(row: AgencyRow) {
  return { ...row, created_at: row.created_at.toISOString(), updated_at: row.updated_at.toISOString() };
}

/** Kind and jurisdiction must name existing codes; reported together so one round trip fixes both. */
async function checkReferences(db: Kysely<DB>, v: { kind?: string | undefined; jurisdiction_region_code?: string | undefined }) {
  const errors: FieldError[] = [];
  if (v.kind !== undefined) {
    const kinds = (await loadCodeSets(db, ['agency-kinds'])).get('agency-kinds');
    if (!kinds?.has(v.kind)) errors.push(unknownCode('/kind', v.kind, 'agency-kinds'));
  }
  if (v.jurisdiction_region_code !== undefined && !(await findRegion(db, v.jurisdiction_region_code))) {
    errors.push(unknownCode('/jurisdiction_region_code', v.jurisdiction_region_code, 'regions'));
  }
  if (errors.length > 0) throw new AppError('REFERENCE_INVALID', {}, errors);
}

export async function createAgency(db: Kysely<DB>, actor: Principal, requestId: string | undefined, body: AgencyCreateBody) {
  requireAgencyJurisdictionChange(actor, { id: '', code: body.code, current: null }, body.jurisdiction_region_code);
  return db.transaction().execute(async (trx) => {
    await checkReferences(trx, body);
    try {
      await insertAgency(trx, body);
    } catch (err) {
      if (sqlState(err) === '23505') throw new AppError('AGENCY_CODE_TAKEN', { code: body.code });
      throw err;
    }
    const created = presentAgency((await findAgency(trx, body.code))!);
    await recordAudit(trx, { actor, requestId, action: 'agency.created', entityType: 'agency', entityId: body.code, after: created });
    return created;
  });
}

const reasonRequired = () =>
  new AppError('VALIDATION_FAILED', {}, [
    {
      location: 'body',
      pointer: '/reason',
      code: 'required',
      detail: { id: 'perubahan wilayah kewenangan instansi wajib disertai alasan', en: "a change of an agency's jurisdiction needs a reason" },
    },
  ]);

export async function patchAgency(db: Kysely<DB>, actor: Principal, requestId: string | undefined, code: string, patch: AgencyPatchBody) {
  const { reason, ...fields } = patch;
  return db.transaction().execute(async (trx) => {
    const found = await findAgencyId(trx, code, { forUpdate: true });
    if (!found) throw new AppError('AGENCY_NOT_FOUND', { code });
    const before = presentAgency((await findAgency(trx, code))!);
    const next = fields.jurisdiction_region_code ?? before.jurisdiction_region_code;
    requireAgencyJurisdictionChange(actor, { id: found.id, code, current: before.jurisdiction_region_code }, next);
    const moves = next !== before.jurisdiction_region_code;
    if (moves && !reason?.trim()) throw reasonRequired();
    await checkReferences(trx, fields);
    await updateAgency(trx, code, fields);
    const after = presentAgency((await findAgency(trx, code))!);
    await recordAudit(trx, { actor, requestId, action: 'agency.updated', entityType: 'agency', entityId: code, before, after: moves ? { ...after, reason: reason!.trim() } : after });
    return after;
  });
}
