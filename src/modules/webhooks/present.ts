import type { EventType } from './event-types.js';
import type { SubscriptionRow } from './repository.js';

/** A subscription in its API shape: never its secret. */
export function presentSubscription(row: SubscriptionRow) {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    event_types: row.event_types as EventType[],
    indicators: row.indicators,
    regions: row.regions,
    owner: row.owner_client_id,
    status: row.status as 'active' | 'paused',
    paused_reason: row.paused_reason,
    paused_at: row.paused_at?.toISOString() ?? null,
    consecutive_failures: row.consecutive_failures,
    last_error: row.last_error,
    next_attempt_at: row.next_attempt_at.toISOString(),
    secret_rotated_at: row.secret_rotated_at.toISOString(),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
