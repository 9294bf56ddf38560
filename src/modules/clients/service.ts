import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/app-error.js';
import { unknownCode, inconsistent } from '../../http/field-errors.js';
import { sqlState } from '../../db/errors.js';
import { recordAudit, type Actor } from '../audit/record-audit.js';
import { findAgencyId } from '../agencies/repository.js';
import type { Role } from '../../domain/principal.js';
import { generateSecret, hashSecret } from './secret-hash.js';
import { countActiveAdmins, countClients, disableClient, findClient, insertClient, lockClientChanges, replaceSecret, type ClientRow } from './repository.js';

export function presentClient(row: ClientRow) {
  return {
    client_id: row.id,
    name: row.name,
    role: row.role as Role,
    agency: row.agency_code,
    status: row.disabled_at ? ('disabled' as const) : ('active' as const),
    created_at: row.created_at.toISOString(),
    disabled_at: row.disabled_at?.toISOString() ?? null,
    last_token_at: row.last_token_at?.toISOString() ?? null,
    secret_rotated_at: row.tokens_valid_after.toISOString(),
  };
}

export interface NewClient {
  name: string;
  role: Role;
  agency?: string | undefined;
  /** Chosen id (bootstrap from env); generated otherwise. */
  clientId?: string | undefined;
}

function newClientId(role: Role): string {
  return `sde-${role}-${randomBytes(8).toString('hex')}`;
}

/** Creates a client and returns it with its secret: the only time the secret is ever shown. */
export async function createClient(db: Kysely<DB>, actor: Actor, requestId: string | undefined, input: NewClient) {
  const secret = generateSecret();
  const secretHash = await hashSecret(secret);
  return db.transaction().execute((trx) => insertNewClient(trx, actor, requestId, input, secret, secretHash));
}

/** The part of client creation that runs inside the caller's transaction. */
async function insertNewClient(
  trx: Kysely<DB>,
  actor: Actor,
  requestId: string | undefined,
  input: NewClient,
  secret: string,
  secretHash: string,
) {
    const clientId = input.clientId ?? newClientId(input.role);
    let agencyId: string | null = null;
    if (input.agency !== undefined) {
      const agency = await findAgencyId(trx, input.agency);
      if (!agency) throw new AppError('REFERENCE_INVALID', {}, [unknownCode('/agency', input.agency, 'agencies')]);
      agencyId = agency.id;
    } else if (input.role === 'producer') {
      throw new AppError('REFERENCE_INVALID', {}, [
        inconsistent('/agency', { id: 'klien produsen wajib terikat pada satu instansi', en: 'a producer client must be bound to one agency' }),
      ]);
    }
    try {
      await insertClient(trx, { id: clientId, name: input.name, role: input.role, agency_id: agencyId, secret_hash: secretHash });
    } catch (err) {
      if (sqlState(err) === '23505') throw new AppError('CLIENT_ID_TAKEN', { id: clientId });
      throw err;
    }
    const client = presentClient((await findClient(trx, clientId))!);
    await recordAudit(trx, { actor, requestId, action: 'client.created', entityType: 'client', entityId: clientId, after: client });
    return { client, client_secret: secret };
}

export async function disable(db: Kysely<DB>, actor: Actor, requestId: string | undefined, id: string) {
  return db.transaction().execute(async (trx) => {
    // Serialise admin changes so two admins cannot disable each other into a lock-out.
    await lockClientChanges(trx, 'admins');
    const row = await findClient(trx, id);
    if (!row) throw new AppError('CLIENT_NOT_FOUND', { id });
    if (row.disabled_at) throw new AppError('CLIENT_ALREADY_DISABLED', { id });
    if (row.role === 'admin' && (await countActiveAdmins(trx)) <= 1) throw new AppError('LAST_ACTIVE_ADMIN', { id });
    const before = presentClient(row);
    await disableClient(trx, id);
    const after = presentClient((await findClient(trx, id))!);
    await recordAudit(trx, { actor, requestId, action: 'client.disabled', entityType: 'client', entityId: id, before, after });
    return after;
  });
}

export async function rotateSecret(db: Kysely<DB>, actor: Actor, requestId: string | undefined, id: string) {
  const secret = generateSecret();
  const secretHash = await hashSecret(secret);
  return db.transaction().execute(async (trx) => {
    const row = await findClient(trx, id);
    if (!row) throw new AppError('CLIENT_NOT_FOUND', { id });
    await replaceSecret(trx, id, secretHash);
    const client = presentClient((await findClient(trx, id))!);
    await recordAudit(trx, { actor, requestId, action: 'client.secret-rotated', entityType: 'client', entityId: id });
    return { client, client_secret: secret };
  });
}

/**
 * On an empty database, creates the first admin so a newcomer can get a token. Returns the
 * credentials when it created them, undefined when clients already existed. Safe when two
 * instances start together: the advisory lock lets only one of them create it.
 */
export async function ensureBootstrapAdmin(db: Kysely<DB>, fromEnv: { clientId: string; secret: string } | undefined) {
  // Every start but the first finds clients: it skips the secret's hash (a deliberately slow
  // scrypt, about a third of a second of CPU), which is made before the lock, not while holding it.
  if ((await countClients(db)) > 0) return undefined;
  const secret = fromEnv?.secret ?? generateSecret();
  const secretHash = await hashSecret(secret);
  return db.transaction().execute(async (trx) => {
    await lockClientChanges(trx, 'bootstrap');
    if ((await countClients(trx)) > 0) return undefined;
    const input: NewClient = { name: 'Bootstrap administrator', role: 'admin', clientId: fromEnv?.clientId };
    return insertNewClient(trx, { system: 'bootstrap' }, undefined, input, secret, secretHash);
  });
}
