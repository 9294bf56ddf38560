import t from 'tap';
import { execFile } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { hashSecret, SCRYPT_COST, verifySecret } from '../../../src/modules/clients/secret-hash.js';

// The rest of the suite hashes at a test cost (test/helpers/database.ts): the production cost
// is checked here, once.
const SECRET = 'rahasia-klien-yang-panjang-0123456789';
const HASH = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/;

t.test("a process that is not the test suite hashes at OWASP's scrypt floor (N=2^14, r=8, p=5)", async (t) => {
  // A process of its own (this one may already have switched to the test cost), loading the
  // module in the form this file runs in: compiled under `npm test`, from source under tap's
  // TypeScript loader (whose options the child gets too).
  const module = new URL(`../../../src/modules/clients/secret-hash${extname(fileURLToPath(import.meta.url))}`, import.meta.url).href;
  const { stdout } = await promisify(execFile)(process.execPath, [
    ...process.execArgv,
    '--input-type=module',
    '-e',
    `const { hashSecret } = await import(${JSON.stringify(module)}); console.log(await hashSecret(${JSON.stringify(SECRET)}));`,
  ]);
  const stored = stdout.trim();
  t.same(HASH.exec(stored)?.slice(1, 4), ['16384', '8', '5'], stored);
  t.ok(await verifySecret(SECRET, stored), 'the secret it was made from matches');
  t.notOk(await verifySecret(`${SECRET}x`, stored), 'another secret does not');
  t.same(SCRYPT_COST, { N: 2 ** 14, r: 8, p: 5 });
});

t.test('a hash records its parameters and is checked with them, whatever they are', async (t) => {
  const cheap = await hashSecret(SECRET, { N: 2 ** 10, r: 8, p: 1 });
  t.same(HASH.exec(cheap)?.slice(1, 4), ['1024', '8', '1']);
  t.ok(await verifySecret(SECRET, cheap));
  t.notOk(await verifySecret(SECRET.slice(1), cheap));
  const again = await hashSecret(SECRET, { N: 2 ** 10, r: 8, p: 1 });
  t.not(again, cheap, 'each hash has a salt of its own');
});

t.test('a malformed stored hash matches no secret', async (t) => {
  for (const stored of ['', 'plain-text-secret', 'bcrypt$10$abc$def', 'scrypt$1024$8$1$$', 'scrypt$1024$8$1$c2FsdA']) {
    t.notOk(await verifySecret(SECRET, stored), JSON.stringify(stored));
  }
});
