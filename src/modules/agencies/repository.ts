import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

function selectAgencies(db: Kysely<DB>) {
  return db
    .selectFrom('agencies')
    .innerJoin('regions', 'regions.code', 'agencies.jurisdiction_region_code')
    .select([
      'agencies.code',
      'agencies.name',
      'agencies.kind',
      'agencies.jurisdiction_region_code',
      'regions.name as jurisdiction_region_name',
      'agencies.created_at',
      'agencies.updated_at',
    ]);
}

export type AgencyRow = Awaited<ReturnType<typeof findAgency>> & object;

export function findAgency(db: Kysely<DB>, code: string) {
  return selectAgencies(db).where('agencies.code', '=', code).executeTakeFirst();
}

export function findAgencyId(db: Kysely<DB>, code: string, options: { forUpdate?: boolean } = {}) {
  const q = db.selectFrom('agencies').select('id').where('code', '=', code);
  return (options.forUpdate ? q.forUpdate() : q).executeTakeFirst();
}

export function listAgencies(
  db: Kysely<DB>,
  f: { kind?: string | undefined; within?: string | undefined; after?: string | undefined; limit: number },
) {
  let q = selectAgencies(db).orderBy('agencies.code').limit(f.limit + 1);
  if (f.kind) q = q.where('agencies.kind', '=', f.kind);
  if (f.within) {
    const within = f.within;
    q = q.where((eb) =>
      eb.or([eb('agencies.jurisdiction_region_code', '=', within), eb('agencies.jurisdiction_region_code', 'like', sql<string>`${within} || '.%'`)]),
    );
  }
  if (f.after) q = q.where('agencies.code', '>', f.after);
  return q.execute();
}

export async function insertAgency(db: Kysely<DB>, v: { code: string; name: string; kind: string; jurisdiction_region_code: string }) {
  await db.insertInto('agencies').values(v).execute();
}

export async function updateAgency(
  db: Kysely<DB>,
  code: string,
  v: { name?: string | undefined; kind?: string | undefined; jurisdiction_region_code?: string | undefined },
) {
  await db.updateTable('agencies').set({ ...v, updated_at: sql`now()` }).where('code', '=', code).execute();
}

/** The ids of the agencies among `codes` that exist, by code. */
export async function agencyIdsByCode(db: Kysely<DB>, codes: string[]): Promise<Map<string, string>> {
  if (codes.length === 0) return new Map();
  const rows = await db.selectFrom('agencies').select([sql<string>`id::text`.as('id'), 'code']).where('code', 'in', codes).execute();
  return new Map(rows.map((a) => [a.code, a.id]));
}
