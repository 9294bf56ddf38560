import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/app-error.js';
import { recordAudit } from '../audit/record-audit.js';
import type { Principal } from '../../domain/principal.js';
import { findIndicator } from './repository.js';

/** 404 unless the indicator is in the catalogue. */
export async function assertIndicator(db: Kysely<DB>, code: string): Promise<void> {
  if (!(await findIndicator(db, code))) throw new AppError('INDICATOR_NOT_FOUND', { code });
}

/**
 * Replaces a per-indicator setting walidata manage as data (anomaly thresholds, the
 * reconciliation policy) and audits it with the state before and after, in one transaction.
 */
export async function replaceIndicatorSetting<V>(
  db: Kysely<DB>,
  o: {
    actor: Principal;
    requestId: string;
    code: string;
    action: string;
    view: (db: Kysely<DB>, code: string) => Promise<V>;
    save: (db: Kysely<DB>) => Promise<void>;
    /** The part of the view the audit log keeps. */
    audited: (view: V) => object;
  },
): Promise<V> {
  return db.transaction().execute(async (trx) => {
    const before = await o.view(trx, o.code);
    await o.save(trx);
    const after = await o.view(trx, o.code);
    await recordAudit(trx, { actor: o.actor, requestId: o.requestId, action: o.action, entityType: 'indicator', entityId: o.code, before: o.audited(before), after: o.audited(after) });
    return after;
  });
}
