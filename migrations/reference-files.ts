import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

/**
 * Reference files live in `migrations/reference/` of the project. Migrations run both from
 * source (tests) and compiled into `dist/`, so find the project root rather than a fixed
 * relative path.
 */
function referenceDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('Cannot find the project root (package.json) for reference data');
    dir = parent;
  }
  return join(dir, 'migrations', 'reference');
}

export function readReferenceCsv(file: string): Record<string, string>[] {
  return parse(readFileSync(join(referenceDir(), file)), {
    columns: true,
    bom: true,
    skip_empty_lines: true,
    trim: true,
  }) as Record<string, string>[];
}

export function readReferenceJson<T>(file: string): T {
  return JSON.parse(readFileSync(join(referenceDir(), file), 'utf8')) as T;
}
