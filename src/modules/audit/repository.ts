import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/app-error.js';

const MAX_BIGINT = 9_223_372_036_854_775_807n;

export function listAudit(
  db: Kysely<DB>,
  f: { entityType?: string | undefined; entityId?: string | undefined; actorId?: string | undefined; before?: string | undefined; limit: number },
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
  if (f.before !== undefined) {
    if (!/^\d{1,19}$/.test(f.before) || BigInt(f.before) > MAX_BIGINT) throw new AppError('INVALID_CURSOR');
    q = q.where('audit_log.id', '<', f.before);
  }
  return q.execute();
}
