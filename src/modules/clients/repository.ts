import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

const clientColumns = [
  'clients.id',
  'clients.name',
  'clients.role',
  'clients.disabled_at',
  'clients.created_at',
  'clients.last_token_at',
  'clients.tokens_valid_after',
  'agencies.code as agency_code',
] as const;

function selectClients(db: Kysely<DB>) {
  return db.selectFrom('clients').leftJoin('agencies', 'agencies.id', 'clients.agency_id');
}

export type ClientRow = Awaited<ReturnType<typeof findClient>> & object;

export function findClient(db: Kysely<DB>, id: string) {
  return selectClients(db).select(clientColumns).where('clients.id', '=', id).executeTakeFirst();
}

export function findClientCredentials(db: Kysely<DB>, id: string) {
  return db.selectFrom('clients').select(['id', 'secret_hash', 'disabled_at']).where('id', '=', id).executeTakeFirst();
}

/** What authentication needs about a token's client, in one indexed lookup. */
export function findClientForAuth(db: Kysely<DB>, id: string) {
  return selectClients(db)
    .select([
      'clients.id',
      'clients.role',
      'clients.disabled_at',
      'clients.tokens_valid_after',
      'agencies.id as agency_id',
      'agencies.code as agency_code',
      'agencies.jurisdiction_region_code',
    ])
    .where('clients.id', '=', id)
    .executeTakeFirst();
}

export function listClients(
  db: Kysely<DB>,
  filter: { role?: string | undefined; agency?: string | undefined; after?: string | undefined; limit: number },
) {
  let q = selectClients(db).select(clientColumns).orderBy('clients.id').limit(filter.limit + 1);
  if (filter.role) q = q.where('clients.role', '=', filter.role);
  if (filter.agency) q = q.where('agencies.code', '=', filter.agency);
  if (filter.after) q = q.where('clients.id', '>', filter.after);
  return q.execute();
}

export async function insertClient(
  db: Kysely<DB>,
  values: { id: string; name: string; role: string; agency_id: string | null; secret_hash: string },
) {
  await db.insertInto('clients').values(values).execute();
}

export async function countActiveAdmins(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom('clients')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('role', '=', 'admin')
    .where('disabled_at', 'is', null)
    .executeTakeFirstOrThrow();
  return row.n;
}

export async function countClients(db: Kysely<DB>): Promise<number> {
  const row = await db.selectFrom('clients').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return row.n;
}

export async function disableClient(db: Kysely<DB>, id: string) {
  await db.updateTable('clients').set({ disabled_at: sql`now()` }).where('id', '=', id).execute();
}

export async function replaceSecret(db: Kysely<DB>, id: string, secretHash: string) {
  // Tokens issued before this stop working: rotation is how a leaked secret is contained.
  // JWT iat has whole seconds, so the cut-off is the next whole second: a token from
  // earlier in the rotation's own second must not survive it.
  await db
    .updateTable('clients')
    .set({ secret_hash: secretHash, tokens_valid_after: sql`date_trunc('second', now()) + interval '1 second'` })
    .where('id', '=', id)
    .execute();
}

export async function touchLastToken(db: Kysely<DB>, id: string) {
  await db.updateTable('clients').set({ last_token_at: sql`now()` }).where('id', '=', id).execute();
}

/** Serialises one kind of client change across processes, until the transaction ends. */
export async function lockClientChanges(db: Kysely<DB>, kind: 'admins' | 'bootstrap'): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`clients.${kind}`}))`.execute(db);
}
