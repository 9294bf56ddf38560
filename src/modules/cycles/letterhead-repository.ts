import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

export interface LetterheadFields {
  office_name: string;
  office_address: string | null;
  office_contact: string | null;
  logo: string | null;
  signatory_name: string | null;
  signatory_position: string | null;
  signatory_nip: string | null;
  place: string | null;
}

const COLUMNS = ['region_code', 'office_name', 'office_address', 'office_contact', 'logo', 'signatory_name', 'signatory_position', 'signatory_nip', 'place', 'updated_by', 'updated_at'] as const;

export function findLetterhead(db: Kysely<DB>, region: string, options: { forUpdate?: boolean } = {}) {
  const q = db.selectFrom('report_letterheads').select(COLUMNS).where('region_code', '=', region);
  return (options.forUpdate ? q.forUpdate() : q).executeTakeFirst();
}

export type LetterheadRow = NonNullable<Awaited<ReturnType<typeof findLetterhead>>>;

export async function upsertLetterhead(db: Kysely<DB>, region: string, fields: LetterheadFields, actor: string): Promise<void> {
  const values = { ...fields, updated_by: actor, updated_at: new Date() };
  await db
    .insertInto('report_letterheads')
    .values({ region_code: region, ...values })
    .onConflict((oc) => oc.column('region_code').doUpdateSet(values))
    .execute();
}

export async function deleteLetterhead(db: Kysely<DB>, region: string): Promise<boolean> {
  const { numDeletedRows } = await db.deleteFrom('report_letterheads').where('region_code', '=', region).executeTakeFirst();
  return numDeletedRows > 0n;
}
