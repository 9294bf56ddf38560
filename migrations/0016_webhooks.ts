import { type Kysely, sql } from 'kysely';

// Frozen once released: later changes go in new migrations.
// Webhooks (src/modules/webhooks): subscriptions with their delivery state, the events they are
// sent (numbered in commit order: one materialiser writes at a time), the delivery attempts, and
// the durable sources events are derived from. Review steps and pushes are read from the audit
// log through a queue its trigger fills in the same transaction, so no audited change is missed
// whatever order concurrent transactions commit in; figure changes are read from their feed by
// its sequence number, which figure writers already commit in order.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table webhook_subscriptions (
      id uuid primary key default gen_random_uuid(),
      owner_client_id text not null references clients(id),
      owner_role text not null,
      owner_agency_id uuid references agencies(id),
      owner_region text,
      url text not null,
      description text,
      event_types text[] not null,
      indicators text[],
      regions text[],
      secret text not null,
      previous_secret text,
      previous_secret_until timestamptz,
      secret_rotated_at timestamptz not null default now(),
      status text not null default 'active' check (status in ('active', 'paused')),
      paused_reason text,
      paused_at timestamptz,
      cursor bigint not null,
      consecutive_failures integer not null default 0,
      last_error text,
      next_attempt_at timestamptz not null default now(),
      lease_owner text,
      lease_until timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (owner_client_id, url)
    )`.execute(db);
  await sql`create index webhook_subscriptions_due_idx on webhook_subscriptions (next_attempt_at) where status = 'active'`.execute(db);
  await sql`
    create table webhook_events (
      seq bigint generated always as identity primary key,
      id text not null unique,
      type text not null,
      source_key text not null unique,
      indicator_code text,
      region_code text,
      agency_id uuid,
      payload jsonb,
      consumer_payload jsonb,
      check (payload is not null or consumer_payload is not null),
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`
    create table webhook_attempts (
      id bigint generated always as identity primary key,
      subscription_id uuid not null references webhook_subscriptions(id) on delete cascade,
      event_seq bigint not null references webhook_events(seq),
      event_id text not null,
      event_type text not null,
      attempt integer not null,
      at timestamptz not null,
      duration_ms integer not null,
      status_code integer,
      outcome text not null check (outcome in ('delivered', 'failed')),
      error text
    )`.execute(db);
  await sql`create index webhook_attempts_subscription_idx on webhook_attempts (subscription_id, id)`.execute(db);
  await sql`create table webhook_source_cursors (source text primary key, cursor bigint not null)`.execute(db);
  await sql`insert into webhook_source_cursors (source, cursor) select 'figure_changes', coalesce(max(seq), 0) from figure_changes`.execute(db);
  await sql`create table webhook_audit_queue (id bigint generated always as identity primary key, audit_id bigint not null)`.execute(db);
  await sql`
    create function sde_webhook_audit_enqueue() returns trigger language plpgsql as $$
    begin
      insert into webhook_audit_queue (audit_id) values (new.id);
      return null;
    end $$`.execute(db);
  await sql`
    create trigger audit_log_webhooks after insert on audit_log for each row
    when (new.action in ('dataset.version-pushed', 'dataset.version-returned', 'dataset.version-verified', 'dataset.version-published'))
    execute function sde_webhook_audit_enqueue()`.execute(db);
}
