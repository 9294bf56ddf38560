import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../migrations/reference-files.js';

/**
 * tsc never removes what it compiled from a source that has since been deleted or renamed, so
 * .test-build/ would keep it: `npm run test:slow` would still run a deleted slow test (its glob
 * finds the compiled file), and a test could still import a module that is gone. Run after tsc
 * by the pretest steps: a compiled file (.js and its .js.map) whose .ts source is gone goes.
 */
const root = projectRoot();
const build = join(root, '.test-build');
for (const dir of ['src', 'migrations', 'test']) {
  if (!existsSync(join(build, dir))) continue;
  for (const file of readdirSync(join(build, dir), { recursive: true }) as string[]) {
    const compiled = /^(.*)\.js(\.map)?$/.exec(file);
    if (compiled && !existsSync(join(root, dir, `${compiled[1]}.ts`))) rmSync(join(build, dir, file));
  }
}
