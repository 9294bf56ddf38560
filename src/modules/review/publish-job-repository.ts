import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

/** Observations of a version, which its publication reconciles; undefined when there is no such version. */
export async function versionSize(db: Kysely<DB>, datasetId: string, version: number): Promise<number | undefined> {
  const row = await db.selectFrom('dataset_versions').select('accepted_count').where('dataset_id', '=', datasetId).where('version', '=', version).executeTakeFirst();
  return row?.accepted_count;
}

/** The audited publication of a version, if the request `requestId` of `actorId` made it. */
export function publicationBy(db: Kysely<DB>, f: { datasetId: string; version: number; requestId: string; actorId: string }) {
  return db
    .selectFrom('audit_log')
    .select(['at', 'before', 'after'])
    .where('action', '=', 'dataset.version-published')
    .where('entity_type', '=', 'dataset')
    .where('entity_id', '=', f.datasetId)
    .where('request_id', '=', f.requestId)
    .where('actor_id', '=', f.actorId)
    .where(sql<boolean>`("after"->>'version')::int = ${f.version}`)
    .executeTakeFirst();
}
