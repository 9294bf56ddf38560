import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { IndicatorCandidate } from './indicator-rules.js';

export interface IndicatorFilter {
  group?: string | undefined;
  dimension?: string | undefined;
  sourceAgencyKind?: string | undefined;
  after?: string | undefined;
  limit: number;
}

export type IndicatorRow = Awaited<ReturnType<typeof findIndicator>> & object;

function selectIndicators(db: Kysely<DB>) {
  return db.selectFrom('indicators').selectAll();
}

export function listIndicators(db: Kysely<DB>, f: IndicatorFilter) {
  let q = selectIndicators(db).orderBy('code').limit(f.limit + 1);
  if (f.group) q = q.where('group', '=', f.group);
  if (f.dimension) q = q.where('dimension', '=', f.dimension);
  if (f.sourceAgencyKind) q = q.where(sql<boolean>`${f.sourceAgencyKind} = any(source_agency_kinds)`);
  if (f.after) q = q.where('code', '>', f.after);
  return q.execute();
}

export function findIndicator(db: Kysely<DB>, code: string, options: { forUpdate?: boolean } = {}) {
  const q = selectIndicators(db).where('code', '=', code);
  return (options.forUpdate ? q.forUpdate() : q).executeTakeFirst();
}

export async function existingIndicatorCodes(db: Kysely<DB>, codes: string[]): Promise<Set<string>> {
  if (codes.length === 0) return new Set();
  const rows = await db.selectFrom('indicators').select('code').where('code', 'in', codes).execute();
  return new Set(rows.map((r) => r.code));
}

/** A candidate that passed the rules, with the value type its measure implies. */
export type IndicatorValues = IndicatorCandidate & { value_type: string };

export async function insertIndicator(db: Kysely<DB>, v: IndicatorValues) {
  return db
    .insertInto('indicators')
    .values({ ...v, metadata: JSON.stringify(v.metadata) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateIndicator(db: Kysely<DB>, v: IndicatorValues) {
  const { code, ...rest } = v;
  return db
    .updateTable('indicators')
    .set({ ...rest, metadata: JSON.stringify(v.metadata), updated_at: sql`now()` })
    .where('code', '=', code)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** What a push template shows of each indicator, in code order. */
export function templateIndicators(db: Kysely<DB>, codes: string[]) {
  return db.selectFrom('indicators').select(['code', 'name', 'unit', 'disaggregations']).where('code', 'in', codes).orderBy('code').execute();
}

/** What validating a push needs of each indicator. */
export function indicatorValidationFacts(db: Kysely<DB>, codes: string[]) {
  return db
    .selectFrom('indicators')
    .select(['code', 'measure', 'unit', 'value_type', 'valid_min', 'valid_max', 'periodicity', 'disaggregations'])
    .where('code', 'in', codes)
    .execute();
}

export async function indicatorMetadata(db: Kysely<DB>, codes: string[]) {
  return codes.length === 0 ? [] : db.selectFrom('indicators').select(['code', 'metadata']).where('code', 'in', codes).execute();
}
