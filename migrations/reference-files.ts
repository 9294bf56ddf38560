import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

/**
 * The project root (where package.json is). Code here runs from source (tests), compiled into
 * `dist/` (the server) and compiled into `.test-build/` (the suite), so paths to project files
 * start from the root rather than from this file.
 */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('Cannot find the project root (package.json)');
    dir = parent;
  }
  return dir;
}

/** Reference files live in `migrations/reference/` of the project. */
function referenceDir(): string {
  return join(projectRoot(), 'migrations', 'reference');
}

/**
 * Runs `copy … from '/dev/blob'` with `data` as the file, in the transaction under way: PGlite
 * has one session, and takes the file from this process.
 */
export type CopyFromBlob = (statement: string, data: Blob) => Promise<void>;

export function readReferenceFile(file: string): Buffer {
  return readFileSync(join(referenceDir(), file));
}

export function readReferenceCsv(file: string): Record<string, string>[] {
  return parse(readReferenceFile(file), {
    columns: true,
    bom: true,
    skip_empty_lines: true,
    trim: true,
  }) as Record<string, string>[];
}

export function readReferenceJson<T>(file: string): T {
  return JSON.parse(readFileSync(join(referenceDir(), file), 'utf8')) as T;
}
