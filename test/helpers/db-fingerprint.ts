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

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
const identifier = (name: string) => `"${name.replaceAll('"', '""')}"`;

export async function fingerprinter(db: Kysely<DB>): Promise<() => Promise<Fingerprint>> {
  // Enumerated once at run time, so a table added by a later migration is covered unasked.
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE'
    order by table_name`.execute(db);
  const writable = tables.rows.map((r) => r.name).filter((name) => !STATIC_TABLES.includes(name));
  if (!writable.includes('audit_log')) throw new Error('fingerprint: no audit_log table');
  const digests = writable.map(
    (name) => `select ${literal(name)}::text, (select count(*)::text || ':' || coalesce(sum(hashtext(t::text)::bigint), 0)::text from ${identifier(name)} t)`,
  );
  const audit = `select 'audit_log (max id)'::text, (select coalesce(max(id)::text, '-') from audit_log)`;
  // In a PL/pgSQL function the query is planned once, not at each of the hundreds of calls
  // (planning was half of a fingerprint's cost on PGlite).
  await sql
    .raw(
      `create or replace function test_fingerprint() returns table (relation text, digest text) language plpgsql stable as $$
      begin return query ${[...digests, audit].join(' union all ')}; end $$`,
    )
    .execute(db);
  // Every write to a table is made by a transaction that has taken a transaction id, so while
  // the next id to be handed out has not moved, no table has changed since the last digest
  // and it still holds. (On a server, other databases' transactions move it too: then the
  // digest is simply taken again.)
  const nextXid = async () => (await sql<{ xid: string }>`select pg_snapshot_xmax(pg_current_snapshot())::text as xid`.execute(db)).rows[0]!.xid;
  let last: { xid: string; fingerprint: Fingerprint } | undefined;
  return async () => {
    const xid = await nextXid();
    if (last?.xid !== xid) {
      const rows = (await sql<{ relation: string; digest: string }>`select relation, digest from test_fingerprint()`.execute(db)).rows;
      last = { xid, fingerprint: new Map(rows.map((r) => [r.relation, r.digest])) };
    }
    return new Map(last.fingerprint);
  };
}

/** The tables whose digest differs between two fingerprints. */
export function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  return [...after.keys()].filter((name) => before.get(name) !== after.get(name));
}
