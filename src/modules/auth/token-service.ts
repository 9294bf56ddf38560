import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/app-error.js';
import { recordAudit } from '../audit/record-audit.js';
import { findClientCredentials, findClientForAuth, touchLastToken } from '../clients/repository.js';
import type { Role } from '../../domain/principal.js';
import { hashSecret, verifySecret } from '../clients/secret-hash.js';

// A hash of a secret nobody knows: unknown client ids are checked against it so that they
// take as long to refuse as a wrong secret, and response times do not reveal which ids exist.
let decoyHash: Promise<string> | undefined;
function decoy(): Promise<string> {
  decoyHash ??= hashSecret(`decoy-${Math.random()}`);
  return decoyHash;
}

export function invalidClient(): AppError {
  return new AppError('INVALID_CLIENT', {}, [], { error: 'invalid_client' });
}

export interface VerifiedClient {
  clientId: string;
  role: Role;
  agency: string | null;
  /** Tokens must be issued at or after this instant (epoch ms) to be accepted. */
  tokensValidAfterMs: number;
}

/** Runs a secret check when its turn comes; the caller decides who waits for whom. */
export type InTurn = (check: () => Promise<boolean>) => Promise<boolean>;

/**
 * Checks client credentials; every failure looks the same from outside. Known and unknown
 * ids alike wait for their turn and pay one hash, so neither the queue nor the clock tells
 * them apart.
 */
export async function verifyClientCredentials(db: Kysely<DB>, clientId: string, secret: string, inTurn: InTurn): Promise<VerifiedClient> {
  const stored = await findClientCredentials(db, clientId);
  const hash = stored?.secret_hash ?? (await decoy());
  const ok = await inTurn(() => verifySecret(secret, hash));
  if (!stored || !ok || stored.disabled_at) throw invalidClient();
  const client = await findClientForAuth(db, clientId);
  if (!client) throw invalidClient();
  return { clientId: client.id, role: client.role as Role, agency: client.agency_code, tokensValidAfterMs: client.tokens_valid_after.getTime() };
}

export async function recordTokenIssued(db: Kysely<DB>, client: VerifiedClient, requestId: string) {
  await db.transaction().execute(async (trx) => {
    await touchLastToken(trx, client.clientId);
    await recordAudit(trx, {
      actor: { clientId: client.clientId, role: client.role, agency: null },
      requestId,
      action: 'client.token-issued',
      entityType: 'client',
      entityId: client.clientId,
    });
  });
}
