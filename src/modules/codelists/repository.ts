import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

export function listCodelists(db: Kysely<DB>) {
  return db
    .selectFrom('codelists')
    .select(['name', 'title_id', 'title_en', 'description_id', 'description_en'])
    .select(sql<number>`(select count(*)::int from codelist_codes c where c.codelist = codelists.name)`.as('code_count'))
    .orderBy('name')
    .execute();
}

export function findCodelist(db: Kysely<DB>, name: string) {
  return db.selectFrom('codelists').select(['name', 'title_id', 'title_en', 'description_id', 'description_en']).where('name', '=', name).executeTakeFirst();
}

export function listCodes(db: Kysely<DB>, codelist: string) {
  return db
    .selectFrom('codelist_codes')
    .select(['code', 'label_id', 'label_en', 'attributes'])
    .where('codelist', '=', codelist)
    .orderBy('sort_order')
    .execute();
}

/** The codes of several codelists at once, for checking references in one query. */
export async function loadCodeSets(db: Kysely<DB>, names: readonly string[]): Promise<Map<string, Set<string>>> {
  const rows = await db.selectFrom('codelist_codes').select(['codelist', 'code']).where('codelist', 'in', [...names]).execute();
  const sets = new Map<string, Set<string>>(names.map((n) => [n, new Set<string>()]));
  for (const row of rows) sets.get(row.codelist)?.add(row.code);
  return sets;
}

/** The attributes of a code known to exist (checked against the codelist first). */
export async function findCodeAttributes(db: Kysely<DB>, codelist: string, code: string) {
  const row = await db
    .selectFrom('codelist_codes')
    .select('attributes')
    .where('codelist', '=', codelist)
    .where('code', '=', code)
    .executeTakeFirstOrThrow();
  return row.attributes;
}
