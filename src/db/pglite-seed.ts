import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '../../migrations/reference-files.js';

/**
 * A PGlite data directory with every migration applied, made once by `npm run build`.
 *
 * A first start on an empty directory would otherwise run PGlite's `initdb` in WebAssembly
 * (5 s on an idle machine, 20+ s on a loaded one) and load 91,599 regions (another 6 s) before
 * it can listen; unpacking the seed into the directory takes well under a second. It lives
 * beside the compiled code (dist/, or a bench's or the suite's own build), named after what it
 * was made from: the compiled migrations, the reference files and the PGlite version. A start
 * with a different set finds no seed and builds the directory the long way, as before.
 */
const BUILD_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function fingerprint(): string {
  const hash = createHash('sha256');
  const pglite = new URL('../package.json', import.meta.resolve('@electric-sql/pglite'));
  hash.update((JSON.parse(readFileSync(pglite, 'utf8')) as { version: string }).version);
  for (const dir of [join(BUILD_ROOT, 'migrations'), join(projectRoot(), 'migrations', 'reference')]) {
    for (const name of readdirSync(dir).filter((n) => /\.(js|csv|json)$/.test(n)).sort()) hash.update(name).update(readFileSync(join(dir, name)));
  }
  return hash.digest('hex').slice(0, 16);
}

export const SEED_DIR = join(BUILD_ROOT, 'pglite-seed');

export function seedPath(): string {
  return join(SEED_DIR, `${fingerprint()}.tar`);
}

/**
 * The bytes as PGlite reads a tarball (it asks the Blob for its arrayBuffer()), without Node
 * 20's Blob, which copies them in and reads them out again in small chunks: about half a
 * second of CPU for a data directory.
 */
export class BytesBlob extends Blob {
  readonly #bytes: Buffer;
  constructor(bytes: Buffer) {
    super([]);
    this.#bytes = bytes;
  }
  override async arrayBuffer(): Promise<ArrayBuffer> {
    return new Uint8Array(this.#bytes).buffer;
  }
}

/** The seed for this build, when `dataDir` holds no database yet and the build made one. */
export function seedFor(dataDir: string): Blob | undefined {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return undefined;
  const path = seedPath();
  return existsSync(path) ? new BytesBlob(readFileSync(path)) : undefined;
}
