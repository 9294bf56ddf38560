import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

// OWASP's scrypt floor (N=2^14, r=8, p=5). Parameters are stored in each hash so they can
// be raised later without invalidating existing secrets.
export const SCRYPT_COST: Readonly<ScryptCost> = Object.freeze({ N: 2 ** 14, r: 8, p: 5 });
const TEST_COST: Readonly<ScryptCost> = Object.freeze({ N: 2 ** 10, r: 8, p: 1 });
const KEY_LENGTH = 32;
let cost = SCRYPT_COST;

/**
 * For the test suite only (test/helpers/database.ts calls it): new secrets are hashed at N=2^10,
 * p=1, about 1 % of the production cost. A hash records its parameters and is checked with
 * them, so nothing else changes; the suite stores and checks a few hundred secrets, which at
 * the production cost was a tenth of its CPU. secret-hash.test.ts checks the production cost.
 */
export function useTestHashCost(): void {
  cost = TEST_COST;
}

function derive(secret: string, salt: Buffer, params: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** `scrypt$N$r$p$salt$hash`, salt and hash base64url. */
export async function hashSecret(secret: string, params: Readonly<ScryptCost> = cost): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Constant-time check of a secret against a stored hash; false for any malformed hash. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(secret, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Random credentials: long enough that guessing is hopeless, URL-safe for curl and forms. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}
