import { sql, type Insertable, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/app-error.js';

const MAX_BIGINT = 9_223_372_036_854_775_807n;

export function listAudit(
  db: Kysely<DB>,
  f: {
    entityType?: string | undefined;
    entityId?: string | undefined;
    actorId?: string | undefined;
    /** Everything about one dataset: its own entries and those of its versions' findings. */
    datasetId?: string | undefined;
    before?: string | undefined;
    limit: number;
  },
) {
  let q = db
    .selectFrom('audit_log')
    .select([
      sql<string>`id::text`.as('id'),
      'at',
      'actor_id',
      'actor_role',
      'actor_agency',
      'action',
      'entity_type',
      'entity_id',
      'before',
      'after',
      'request_id',
    ])
    .orderBy('audit_log.id', 'desc')
    .limit(f.limit + 1);
  if (f.entityType) q = q.where('entity_type', '=', f.entityType);
  if (f.entityId) q = q.where('entity_id', '=', f.entityId);
  if (f.actorId) q = q.where('actor_id', '=', f.actorId);
  if (f.datasetId) {
    const id = f.datasetId;
    q = q.where((eb) =>
      eb.or([
        eb.and([eb('entity_type', '=', 'dataset'), eb('entity_id', '=', id)]),
        eb.and([eb('entity_type', '=', 'finding'), eb(sql<string>`after->>'dataset_id'`, '=', id)]),
      ]),
    );
  }
  if (f.before !== undefined) {
    if (!/^\d{1,19}$/.test(f.before) || BigInt(f.before) > MAX_BIGINT) throw new AppError('INVALID_CURSOR');
    q = q.where('audit_log.id', '<', f.before);
  }
  return q.execute();
}

export async function insertAuditRow(db: Kysely<DB>, row: Insertable<DB['audit_log']>): Promise<void> {
  await db.insertInto('audit_log').values(row).execute();
}
