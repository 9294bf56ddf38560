import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

export function findMapping(db: Kysely<DB>, datasetId: string) {
  return db.selectFrom('dhis2_mappings').select(['mapping', 'updated_by', 'updated_at']).where('dataset_id', '=', datasetId).executeTakeFirst();
}

/** Locks the dataset's mapping row (if any) for a replacement in this transaction. */
export function findMappingForUpdate(db: Kysely<DB>, datasetId: string) {
  return db.selectFrom('dhis2_mappings').select(['mapping']).where('dataset_id', '=', datasetId).forUpdate().executeTakeFirst();
}

export async function upsertMapping(db: Kysely<DB>, row: { dataset_id: string; mapping: object; updated_by: string }) {
  return db
    .insertInto('dhis2_mappings')
    .values({ dataset_id: row.dataset_id, mapping: JSON.stringify(row.mapping), updated_by: row.updated_by })
    .onConflict((oc) => oc.column('dataset_id').doUpdateSet({ mapping: JSON.stringify(row.mapping), updated_by: row.updated_by, updated_at: new Date() }))
    .returning(['mapping', 'updated_by', 'updated_at'])
    .executeTakeFirstOrThrow();
}
