import type { ColumnType } from 'kysely';

// The types kysely-codegen names for columns whose TypeScript type the database cannot tell
// (src/cli/db-types.ts maps them here); apart from schema.ts so the generated file and
// schema.ts do not import each other.
export declare namespace Stored {
  /** What kysely-codegen writes for a json column (src/cli/db-types.ts maps it here): its shape is declared in schema.ts. */
  interface Json {
    readonly 'declare the shape of this json column in src/db/schema.ts': never;
  }
  /** int8 (bigint, identity ids): pg returns it as text, PGlite as a number; select `::text` for one type. */
  type Int8 = ColumnType<string | number, bigint | number | string, bigint | number | string>;
}
