import { sql, type Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.js';

/**
 * A digest of everything a request could have written, to prove that a refused request
 * wrote nothing: per table its row count and the sum of a hash of each row (no sort and no
 * concatenation, so a fingerprint stays cheap enough to take around each of hundreds of
 * requests), plus the audit log's highest id. The reference data loaded by the migrations
 * (91k regions, their populations, the codelists) never changes over the API and is left out.
 */
const STATIC_TABLES = ['regions', 'populations', 'codelists', 'codelist_codes', 'kysely_migration', 'kysely_migration_lock'];

export type Fingerprint = Map<string, string>;

export async function fingerprinter(db: Kysely<DB>): Promise<() => Promise<Fingerprint>> {
  // Enumerated once at run time, so a table added by a later migration is covered unasked.
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE'
    order by table_name`.execute(db);
  const writable = tables.rows.map((r) => r.name).filter((name) => !STATIC_TABLES.includes(name));
  if (!writable.includes('audit_log')) throw new Error('fingerprint: no audit_log table');
  const digests = writable.map(
    (name) => sql`select ${name}::text as name, (select count(*)::text || ':' || coalesce(sum(hashtext(t::text)::bigint), 0)::text from ${sql.table(name)} t) as digest`,
  );
  const audit = sql`select 'audit_log (max id)' as name, (select coalesce(max(id)::text, '-') from audit_log) as digest`;
  const query = sql<{ name: string; digest: string }>`${sql.join([...digests, audit], sql` union all `)}`;
  return async () => new Map((await query.execute(db)).rows.map((r) => [r.name, r.digest]));
}

/** The tables whose digest differs between two fingerprints. */
export function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  return [...after.keys()].filter((name) => before.get(name) !== after.get(name));
}
