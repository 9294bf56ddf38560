import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { sqlState } from '../../db/errors.js';
import { AppError } from '../../http/app-error.js';
import { unknownCode } from '../../http/field-errors.js';
import type { Principal } from '../../domain/principal.js';
import { jurisdictionOf } from '../../domain/jurisdiction.js';
import { recordAudit } from '../audit/record-audit.js';
import { forbiddenTypes, type EventType } from './event-types.js';
import { presentSubscription } from './present.js';
import {
  deleteSubscription,
  eventSeqOf,
  findSubscription,
  insertSubscription,
  lastEventSeq,
  unknownCodes,
  updateSubscription,
  type SubscriptionPatch,
  type SubscriptionRow,
} from './repository.js';
import { resolveTarget, TargetRefused } from './sender.js';

/** How long the replaced secret still signs beside the new one, so receivers can switch over. */
const PREVIOUS_SECRET_GRACE_MS = 24 * 3600 * 1000;

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

export interface SubscriptionInput {
  url: string;
  description?: string | null | undefined;
  event_types: EventType[];
  indicators?: string[] | undefined;
  regions?: string[] | undefined;
}

interface Context {
  actor: Principal;
  requestId: string;
  allowPrivateTargets: boolean;
}

/** A subscription the caller may see and change: its own, or any for an admin; 404 otherwise. */
export async function ownedSubscription(db: Kysely<DB>, actor: Principal, id: string, lock = false): Promise<SubscriptionRow> {
  const row = /^[0-9a-f-]{36}$/i.test(id) ? await findSubscription(db, id, lock) : undefined;
  if (!row || (actor.role !== 'admin' && row.owner_client_id !== actor.clientId)) throw new AppError('WEBHOOK_NOT_FOUND', { id });
  return row;
}

async function checkTarget(url: string, allowPrivateTargets: boolean): Promise<void> {
  try {
    await resolveTarget(new URL(url), allowPrivateTargets);
  } catch (err) {
    if (err instanceof TargetRefused) throw new AppError('WEBHOOK_TARGET_FORBIDDEN', { reason: err.message });
    throw err;
  }
}

async function checkContent(db: Kysely<DB>, actor: Principal, input: Partial<SubscriptionInput>, allowPrivateTargets: boolean) {
  if (input.event_types) {
    const refused = forbiddenTypes(actor.role, input.event_types);
    if (refused.length > 0) throw new AppError('WEBHOOK_EVENTS_FORBIDDEN', { role: actor.role, types: refused.join(', ') });
  }
  const unknown = [
    ...(await unknownCodes(db, 'indicators', input.indicators ?? [])).map((c) => unknownCode(`/indicators/${input.indicators!.indexOf(c)}`, c, 'indicators')),
    ...(await unknownCodes(db, 'regions', input.regions ?? [])).map((c) => unknownCode(`/regions/${input.regions!.indexOf(c)}`, c, 'regions')),
  ];
  if (unknown.length > 0) throw new AppError('REFERENCE_INVALID', {}, unknown);
  if (input.url !== undefined) await checkTarget(input.url, allowPrivateTargets);
}

const uniq = <T>(list: T[] | undefined) => (list && list.length > 0 ? [...new Set(list)] : null);

/** Subscribes the caller; the secret is returned this once. Only events after now are sent. */
export async function createSubscription(db: Kysely<DB>, ctx: Context, input: SubscriptionInput) {
  await checkContent(db, ctx.actor, input, ctx.allowPrivateTargets);
  const secret = newSecret();
  return db.transaction().execute(async (trx) => {
    let row: SubscriptionRow;
    try {
      row = await insertSubscription(trx, {
        owner_client_id: ctx.actor.clientId,
        owner_role: ctx.actor.role,
        owner_agency_id: ctx.actor.agency?.id ?? null,
        owner_region: jurisdictionOf(ctx.actor),
        url: input.url,
        description: input.description ?? null,
        event_types: [...new Set(input.event_types)],
        indicators: uniq(input.indicators),
        regions: uniq(input.regions),
        secret,
        cursor: await lastEventSeq(trx),
      });
    } catch (err) {
      if (sqlState(err) === '23505') throw new AppError('WEBHOOK_EXISTS', { url: input.url });
      throw err;
    }
    const subscription = presentSubscription(row);
    await recordAudit(trx, { actor: ctx.actor, requestId: ctx.requestId, action: 'webhook.created', entityType: 'webhook', entityId: row.id, after: subscription });
    return { subscription, secret };
  });
}

export interface SubscriptionChange extends Partial<SubscriptionInput> {
  status?: 'active' | 'paused' | undefined;
}

/** Changes a subscription; resuming one clears its failures and tries again at once. */
export async function changeSubscription(db: Kysely<DB>, ctx: Context, id: string, change: SubscriptionChange) {
  await ownedSubscription(db, ctx.actor, id);
  await checkContent(db, ctx.actor, change, ctx.allowPrivateTargets);
  return db.transaction().execute(async (trx) => {
    const row = await ownedSubscription(trx, ctx.actor, id, true);
    const patch: SubscriptionPatch = {};
    if (change.url !== undefined) patch.url = change.url;
    if (change.description !== undefined) patch.description = change.description;
    if (change.event_types !== undefined) patch.event_types = [...new Set(change.event_types)];
    if (change.indicators !== undefined) patch.indicators = uniq(change.indicators);
    if (change.regions !== undefined) patch.regions = uniq(change.regions);
    if (change.status === 'paused' && row.status !== 'paused') Object.assign(patch, { status: 'paused', paused_at: new Date(), paused_reason: `paused by ${ctx.actor.clientId}` });
    if (change.status === 'active' && row.status !== 'active') {
      Object.assign(patch, { status: 'active', paused_at: null, paused_reason: null, consecutive_failures: 0, next_attempt_at: new Date() });
    }
    const before = presentSubscription(row);
    let after;
    try {
      after = presentSubscription(await updateSubscription(trx, id, patch));
    } catch (err) {
      if (sqlState(err) === '23505') throw new AppError('WEBHOOK_EXISTS', { url: change.url ?? row.url });
      throw err;
    }
    await recordAudit(trx, { actor: ctx.actor, requestId: ctx.requestId, action: 'webhook.updated', entityType: 'webhook', entityId: id, before, after });
    return after;
  });
}

export async function removeSubscription(db: Kysely<DB>, ctx: Context, id: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await ownedSubscription(trx, ctx.actor, id, true);
    await deleteSubscription(trx, id);
    await recordAudit(trx, { actor: ctx.actor, requestId: ctx.requestId, action: 'webhook.deleted', entityType: 'webhook', entityId: id, before: presentSubscription(row) });
  });
}

/**
 * A new secret, shown once. Messages are signed with both secrets for a day (Standard Webhooks
 * allows several signatures), so a receiver can switch without losing a delivery.
 */
export async function rotateSubscriptionSecret(db: Kysely<DB>, ctx: Context, id: string) {
  const secret = newSecret();
  return db.transaction().execute(async (trx) => {
    const row = await ownedSubscription(trx, ctx.actor, id, true);
    const now = new Date();
    const updated = await updateSubscription(trx, id, { secret, previous_secret: row.secret, previous_secret_until: new Date(now.getTime() + PREVIOUS_SECRET_GRACE_MS), secret_rotated_at: now });
    await recordAudit(trx, { actor: ctx.actor, requestId: ctx.requestId, action: 'webhook.secret-rotated', entityType: 'webhook', entityId: id });
    return { subscription: presentSubscription(updated), secret };
  });
}

/**
 * Sends again every event from `from` (an event id, as in the webhook-id header) on, in order;
 * resumes a paused subscription. Only events already delivered can be replayed (409 otherwise:
 * later ones are on their way anyway).
 */
export async function replay(db: Kysely<DB>, ctx: Context, id: string, from: string) {
  return db.transaction().execute(async (trx) => {
    const row = await ownedSubscription(trx, ctx.actor, id, true);
    const seq = await eventSeqOf(trx, from);
    if (seq === undefined) throw new AppError('WEBHOOK_EVENT_UNKNOWN', { event: from });
    if (BigInt(seq) > BigInt(row.cursor)) throw new AppError('WEBHOOK_REPLAY_AHEAD', { event: from });
    const updated = await updateSubscription(trx, id, {
      cursor: (BigInt(seq) - 1n).toString(),
      status: 'active',
      paused_at: null,
      paused_reason: null,
      consecutive_failures: 0,
      next_attempt_at: new Date(),
    });
    const after = presentSubscription(updated);
    await recordAudit(trx, { actor: ctx.actor, requestId: ctx.requestId, action: 'webhook.replayed', entityType: 'webhook', entityId: id, after: { ...after, from } });
    return after;
  });
}
