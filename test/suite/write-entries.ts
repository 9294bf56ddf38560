import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../../migrations/reference-files.js';

/**
 * `npm test` (its pretest step) writes one entry file per tap job into .test-build/suite/,
 * which .taprc includes: tap runs each in a process of its own, and each runs test files
 * until none is left (run-files.ts). Nothing lists the test files: a new one is found.
 */
const root = projectRoot();
const jobs = Number((parse(readFileSync(join(root, '.taprc'), 'utf8')) as { jobs?: number }).jobs ?? 1);
const dir = join(root, '.test-build', 'suite');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
for (let n = 1; n <= jobs; n++) {
  writeFileSync(join(dir, `process-${n}.js`), "import { runFiles } from '../test/suite/run-files.js';\n\nawait runFiles();\n");
}
