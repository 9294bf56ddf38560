import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { IndicatorEntry } from './model.js';

/** The catalogue as SDMX needs it: one dataflow and structure per indicator. */
export function listIndicatorEntries(db: Kysely<DB>, code?: string): Promise<IndicatorEntry[]> {
  let q = db
    .selectFrom('indicators')
    .select([
      'code',
      'name',
      'name_en',
      'unit',
      'measure',
      'periodicity',
      'disaggregations',
      sql<string | null>`metadata->>'definisi'`.as('definition'),
      sql<string | null>`metadata->>'metode_perhitungan'`.as('formula'),
    ])
    .orderBy('code');
  if (code !== undefined) q = q.where('code', '=', code);
  return q.execute();
}

const REGION_BATCH = 5000;

/** Every region in code order (parents before their children), a batch at a time: 91,599 of them. */
export async function* regionBatches(db: Kysely<DB>): AsyncGenerator<{ code: string; name: string; parent_code: string | null }[]> {
  let after = '';
  for (;;) {
    const rows = await db.selectFrom('regions').select(['code', 'name', 'parent_code']).where('code', '>', after).orderBy('code').limit(REGION_BATCH).execute();
    if (rows.length > 0) yield rows;
    if (rows.length < REGION_BATCH) return;
    after = rows[rows.length - 1]!.code;
  }
}
