/**
 * The layers of src/ and the directions imports may take (README "Project layout").
 * Run: npm run -s lint:imports (in .ci/run).
 *
 *   app.ts, server.ts, openapi-document.ts, cli/   wire and start
 *   modules/<capability>/                          routes → service → repository; pure rules beside
 *   plugins/                                       cross-cutting Fastify plugins
 *   http/                                          problem+json, paging, schemas, route docs
 *   domain/                                        shared vocabulary: principal, jurisdiction, codes, findings
 *   db/, config.ts, util/                          database handles and table types, settings, helpers
 */
const MODULE_ROLES = '(routes|service|repository|plugin|schemas|present)';
// Files of a module that orchestrate database work besides its routes, services and repositories.
const ORCHESTRATORS = '(ingest|idempotency|detect|reconcile|reclassify|conflicts|record-audit|indicator-settings)';
const DATABASE = '^src/db/|^node_modules/(kysely|pg|pg-copy-streams|@electric-sql/pglite)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycles',
      severity: 'error',
      comment: 'No two folders import each other, directly or around a loop: the folder graph is acyclic.',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-module-cycles',
      severity: 'error',
      comment: 'No file imports itself around a loop.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-the-bottom',
      severity: 'error',
      comment: 'The shared vocabulary imports nothing of the service but util/.',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/(domain|util)/' },
    },
    {
      name: 'http-and-plugins-import-no-module',
      severity: 'error',
      comment: 'Cross-cutting HTTP code knows no capability; app.ts hands it what it needs.',
      from: { path: '^src/(http|plugins)/' },
      to: { path: '^src/(modules|cli)/' },
    },
    {
      name: 'http-below-plugins-and-db',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/(plugins|db)/' },
    },
    {
      name: 'db-config-util-at-the-base',
      severity: 'error',
      comment: 'Database handles, settings and helpers import no layer above them (the table types may name the shapes of JSON columns from domain/).',
      from: { path: '^src/(db|util)/|^src/config\\.ts$' },
      to: { path: '^src/(modules|http|plugins|domain|cli)/', pathNot: '^src/domain/', dependencyTypesNot: [] },
    },
    {
      name: 'db-names-domain-types-only',
      severity: 'error',
      from: { path: '^src/(db|util)/|^src/config\\.ts$' },
      to: { path: '^src/domain/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'util-imports-nothing',
      severity: 'error',
      from: { path: '^src/util/' },
      to: { path: '^src/', pathNot: '^src/util/' },
    },
    {
      name: 'nothing-imports-the-top',
      severity: 'error',
      comment: 'Only the entry points wire the app together.',
      from: { path: '^src/(modules|http|plugins|domain|db|util)/' },
      to: { path: '^src/(app|server|openapi-document)\\.ts$|^src/cli/' },
    },
    {
      name: 'sql-only-in-repositories',
      severity: 'error',
      comment:
        'Queries are written in repository files (repository.ts, <name>-repository.ts) and src/db/; elsewhere kysely and the drivers are imported for their types only. test/sql-in-repositories.test.ts also finds query-builder calls.',
      // The snapshot tool builds its own Kysely instance to record the SQL repositories send;
      // the table-types tool creates and drops its scratch database.
      from: { path: '^src/', pathNot: '^src/db/|(^|/|-)repository\\.ts$|^src/cli/(sql-snapshots|db-types)\\.ts$' },
      to: { path: '^node_modules/(kysely|pg|pg-copy-streams|@electric-sql/pglite)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'routes-without-database',
      severity: 'error',
      comment: 'A route parses and answers; the database is reached through its service or repository.',
      from: { path: '(^|/|-)routes\\.ts$' },
      to: { path: DATABASE, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'pure-rules-without-database',
      severity: 'error',
      comment: `The pure rules (every file of domain/, and every module file that is not one of ${MODULE_ROLES} or an orchestrator) take data in and give findings out: no database, not even its types.`,
      from: {
        path: '^src/domain/|^src/modules/',
        pathNot: `^src/modules/[^/]+/([^/]*${MODULE_ROLES}|${ORCHESTRATORS})\\.ts$`,
      },
      to: { path: DATABASE },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
