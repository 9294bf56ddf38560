import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/app-error.js';
import type { Principal } from '../../domain/principal.js';
import { recordAudit } from '../audit/record-audit.js';
import { requireCovers } from '../authority/authority.js';
import { findRegion } from '../regions/repository.js';
import { checkLogo, LOGO_MAX_BYTES, LOGO_TYPES } from './letterhead.js';
import { deleteLetterhead, findLetterhead, upsertLetterhead, type LetterheadFields, type LetterheadRow } from './letterhead-repository.js';

function presentLetterhead(row: LetterheadRow) {
  const { region_code, updated_at, ...rest } = row;
  return { region: region_code, ...rest, updated_at: updated_at.toISOString() };
}

/** What the audit log keeps of a letterhead: the logo by its digest, not its 100 KB. */
function audited(row: LetterheadRow | undefined) {
  if (!row) return null;
  const logo = row.logo ? checkLogo(row.logo) : null;
  return { ...presentLetterhead(row), logo: logo?.ok ? { type: logo.type, bytes: logo.bytes, sha256: logo.sha256 } : null };
}

function validLogo(logo: string): void {
  const check = checkLogo(logo);
  if (check.ok) return;
  if (check.reason === 'too-large') throw new AppError('LOGO_TOO_LARGE', { bytes: check.bytes, limit: LOGO_MAX_BYTES });
  const why = {
    'not-a-data-url': { id: 'logo harus berupa data URL base64 (data:image/png;base64,…)', en: 'the logo must be a base64 data URL (data:image/png;base64,…)' },
    type: { id: `jenis gambar logo harus salah satu dari ${LOGO_TYPES.join(', ')}`, en: `the logo's image type must be one of ${LOGO_TYPES.join(', ')}` },
    'content-mismatch': { id: 'isi logo tidak sesuai dengan jenis gambar yang dinyatakan', en: 'the logo content does not match its declared image type' },
  }[check.reason];
  throw new AppError('LOGO_INVALID', {}, [{ location: 'body', pointer: '/logo', code: check.reason, detail: why }]);
}

async function regionOr404(db: Kysely<DB>, region: string): Promise<void> {
  if (!(await findRegion(db, region))) throw new AppError('REGION_NOT_FOUND', { code: region });
}

export async function getLetterhead(db: Kysely<DB>, region: string) {
  await regionOr404(db, region);
  const row = await findLetterhead(db, region);
  if (!row) throw new AppError('LETTERHEAD_NOT_FOUND', { code: region });
  return presentLetterhead(row);
}

export async function putLetterhead(db: Kysely<DB>, actor: Principal, requestId: string, region: string, body: Partial<LetterheadFields> & { office_name: string }) {
  requireCovers(actor, region);
  await regionOr404(db, region);
  if (body.logo) validLogo(body.logo);
  const fields: LetterheadFields = {
    office_name: body.office_name,
    office_address: body.office_address ?? null,
    office_contact: body.office_contact ?? null,
    logo: body.logo ?? null,
    signatory_name: body.signatory_name ?? null,
    signatory_position: body.signatory_position ?? null,
    signatory_nip: body.signatory_nip ?? null,
    place: body.place ?? null,
  };
  return db.transaction().execute(async (trx) => {
    const before = await findLetterhead(trx, region, { forUpdate: true });
    await upsertLetterhead(trx, region, fields, actor.clientId);
    const after = (await findLetterhead(trx, region))!;
    await recordAudit(trx, { actor, requestId, action: 'report-letterhead.updated', entityType: 'region', entityId: region, before: audited(before), after: audited(after) });
    return { created: !before, letterhead: presentLetterhead(after) };
  });
}

export async function removeLetterhead(db: Kysely<DB>, actor: Principal, requestId: string, region: string): Promise<void> {
  requireCovers(actor, region);
  await regionOr404(db, region);
  await db.transaction().execute(async (trx) => {
    const before = await findLetterhead(trx, region, { forUpdate: true });
    if (!before || !(await deleteLetterhead(trx, region))) throw new AppError('LETTERHEAD_NOT_FOUND', { code: region });
    await recordAudit(trx, { actor, requestId, action: 'report-letterhead.removed', entityType: 'region', entityId: region, before: audited(before), after: null });
  });
}

export interface PrintOverrides {
  place?: string | undefined;
  signed_on?: string | undefined;
  signatory_name?: string | undefined;
  signatory_position?: string | undefined;
  signatory_nip?: string | undefined;
}

/**
 * The heading and signature block a report of the region is printed with: the stored ones,
 * with what the query names for this print (a deputy signing "a.n.", another date) on top.
 * The date defaults to the day the report is made, in the cycle's zone.
 */
export async function printSettings(db: Kysely<DB>, region: string, overrides: PrintOverrides, today: string) {
  const stored = await findLetterhead(db, region);
  return {
    letterhead: stored ? { office_name: stored.office_name, office_address: stored.office_address, office_contact: stored.office_contact, logo: stored.logo } : null,
    signature: {
      place: overrides.place ?? stored?.place ?? null,
      date: overrides.signed_on ?? today,
      name: overrides.signatory_name ?? stored?.signatory_name ?? null,
      position: overrides.signatory_position ?? stored?.signatory_position ?? null,
      nip: overrides.signatory_nip ?? stored?.signatory_nip ?? null,
    },
  };
}
