import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

export function lockVersion(db: Kysely<DB>, datasetId: string, version: number) {
  return db
    .selectFrom('dataset_versions')
    .select(['id', 'version', 'status', 'submitted_by'])
    .where('dataset_id', '=', datasetId)
    .where('version', '=', version)
    .forUpdate()
    .executeTakeFirst();
}

export async function lastVerifier(db: Kysely<DB>, versionId: string): Promise<string | null> {
  const row = await db
    .selectFrom('reviews')
    .select('actor_id')
    .where('version_id', '=', versionId)
    .where('action', '=', 'verify')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.actor_id ?? null;
}

/** Error findings nobody has explained, and findings a walidata confirmed as wrong: both hold back publication. */
export async function blockingFindingCount(db: Kysely<DB>, versionId: string): Promise<number> {
  const row = await db
    .selectFrom('findings')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('version_id', '=', versionId)
    .where((eb) => eb.or([eb.and([eb('severity', '=', 'error'), eb('status', 'in', ['open', 'answered'])]), eb('status', '=', 'confirmed-error')]))
    .executeTakeFirstOrThrow();
  return row.n;
}

export async function recordReview(
  db: Kysely<DB>,
  r: { versionId: string; action: string; from: string; to: string; actor: { id: string; role: string; agency: string | null }; note: string | null },
) {
  await db
    .updateTable('dataset_versions')
    .set({ status: r.to, status_changed_at: sql`now()`, ...(r.to === 'published' ? { published_at: sql`now()` } : {}) })
    .where('id', '=', r.versionId)
    .execute();
  return db
    .insertInto('reviews')
    .values({
      version_id: r.versionId,
      action: r.action,
      from_status: r.from,
      to_status: r.to,
      actor_id: r.actor.id,
      actor_role: r.actor.role,
      actor_agency: r.actor.agency,
      note: r.note,
    })
    .returning(['at'])
    .executeTakeFirstOrThrow();
}
