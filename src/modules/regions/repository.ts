import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

const columns = ['code', 'name', 'level', 'kind', 'parent_code'] as const;

export interface RegionFilter {
  parent?: string | undefined;
  level?: number | undefined;
  q?: string | undefined;
  after?: string | undefined;
  limit: number;
}

/** Escapes LIKE wildcards so a search for "50%" means the text "50%". */
function likeContains(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function listRegions(db: Kysely<DB>, f: RegionFilter) {
  let q = db.selectFrom('regions').select(columns).orderBy('code').limit(f.limit + 1);
  if (f.parent !== undefined) q = q.where('parent_code', '=', f.parent);
  if (f.level !== undefined) q = q.where('level', '=', f.level);
  if (f.q !== undefined) q = q.where(sql<boolean>`lower(name) like ${likeContains(f.q)}`);
  if (f.after !== undefined) q = q.where('code', '>', f.after);
  return q.execute();
}

export function findRegion(db: Kysely<DB>, code: string) {
  return db.selectFrom('regions').select(columns).where('code', '=', code).executeTakeFirst();
}

export function findRegions(db: Kysely<DB>, codes: string[]) {
  if (codes.length === 0) return Promise.resolve([]);
  return db.selectFrom('regions').select(columns).where('code', 'in', codes).orderBy('code').execute();
}

export async function countChildren(db: Kysely<DB>, code: string): Promise<number> {
  const row = await db
    .selectFrom('regions')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('parent_code', '=', code)
    .executeTakeFirstOrThrow();
  return row.n;
}

export function latestPopulation(db: Kysely<DB>, code: string) {
  return db
    .selectFrom('populations')
    .select(['year', sql<number>`male::int`.as('male'), sql<number>`female::int`.as('female'), sql<number>`total::int`.as('total'), 'source'])
    .where('region_code', '=', code)
    .orderBy('year', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The codes of a region's siblings (same level, same parent), itself included, in code order. */
export async function siblingCodes(db: Kysely<DB>, region: { level: number; parent_code: string | null }): Promise<string[]> {
  const rows = await db
    .selectFrom('regions')
    .select('code')
    .where('level', '=', region.level)
    .where((eb) => (region.parent_code === null ? eb('parent_code', 'is', null) : eb('parent_code', '=', region.parent_code)))
    .orderBy('code')
    .execute();
  return rows.map((r) => r.code);
}

/** The level of each of these regions that exists. */
export async function regionLevels(db: Kysely<DB>, codes: string[]) {
  // One array parameter: a push's batch names thousands of regions.
  return codes.length === 0 ? [] : db.selectFrom('regions').select(['code', 'level']).where(sql<boolean>`code = any(${codes}::text[])`).execute();
}
