import { sql, type RawBuilder } from 'kysely';

/**
 * Every process that opens the database has an instance id. Work it claims in the database
 * (an idempotency key, a push job) records that id as its owner, and a live process holds
 * an advisory lock named after its id on a connection of its own (the listening one, on a
 * server). The lock goes with the process: once it is free, the owner is gone and what it
 * claimed was abandoned. PGlite belongs to one process at a time, so there every owner but
 * the current one is gone (one session never conflicts with its own locks).
 */
const INSTANCE_LOCK = 'sde-instance:';

/** The statement a process's own connection runs to hold its instance lock (parameter $1: its id). */
export const HOLD_INSTANCE_LOCK = `select pg_try_advisory_lock(hashtext('${INSTANCE_LOCK}' || $1)) as held`;

/**
 * True when `owner`, another process's instance id, has ended. Null owners (claims older than
 * instance ids) are never taken for ended here. The probe lasts the statement only, and is
 * shared, so that probes of one owner's claims at once (the retries after its crash) do not
 * take each other for that owner.
 */
export function ownerEnded(owner: RawBuilder<unknown>, self: string): RawBuilder<boolean> {
  return sql<boolean>`(${owner} is distinct from ${self} and pg_try_advisory_xact_lock_shared(hashtext(${INSTANCE_LOCK} || ${owner})))`;
}
