import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Principal } from '../../domain/principal.js';
import { insertAuditRow } from './repository.js';

/** Who made a change: a token's principal, or a named system actor (CLI, bootstrap). */
export type Actor = Principal | { system: string };

export interface AuditEntry {
  actor: Actor;
  requestId?: string | undefined;
  action: string;
  entityType: string;
  entityId: string;
  before?: object | null;
  after?: object | null;
}

/** Appends to the audit log; call it with the same transaction as the change it records. */
export async function recordAudit(db: Kysely<DB>, entry: AuditEntry): Promise<void> {
  const actor = 'system' in entry.actor
    ? { actor_id: entry.actor.system, actor_role: 'system', actor_agency: null }
    : { actor_id: entry.actor.clientId, actor_role: entry.actor.role, actor_agency: entry.actor.agency?.code ?? null };
  await insertAuditRow(db, {
    ...actor,
    action: entry.action,
    entity_type: entry.entityType,
    entity_id: entry.entityId,
    before: entry.before ? JSON.stringify(entry.before) : null,
    after: entry.after ? JSON.stringify(entry.after) : null,
    request_id: entry.requestId ?? null,
  });
}
