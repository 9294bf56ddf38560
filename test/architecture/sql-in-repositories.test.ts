import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from '../../migrations/reference-files.js';

// Queries live in repository files (repository.ts, <name>-repository.ts) and src/db/. The
// import rules (.dependency-cruiser.cjs) see only imports; a service handed a Kysely instance
// can build a query without importing anything, so the calls themselves are looked for here.
const root = projectRoot();
const QUERY = /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto|selectNoFrom|executeQuery)\(|(?<![\w.])sql(<[^>]*>)?`/;
const MAY_QUERY = /(^src\/db\/|(^|\/|-)repository\.ts$)/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [relative(root, path)] : [];
  });
}

const files = sources(join(root, 'src'));
const querying = files.filter((file) => QUERY.test(readFileSync(join(root, file), 'utf8')));

t.test('only repositories and src/db build queries', async (t) => {
  t.same(querying.filter((file) => !MAY_QUERY.test(file)), []);
});

t.test('the search finds the queries where they are', async (t) => {
  // A pattern that matched nothing would pass the test above whatever the code did.
  for (const file of ['src/modules/figures/repository.ts', 'src/modules/versions/idempotency-repository.ts', 'src/db/instance.ts']) {
    t.ok(querying.includes(file), file);
  }
});
