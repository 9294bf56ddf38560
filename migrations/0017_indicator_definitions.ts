import { type Kysely, sql } from 'kysely';
import { readReferenceJson } from './reference-files.js';

// Frozen once released: later reference updates go in new migrations.
// The MS-Ind metadata of the shipped catalogue (konsep, definisi, interpretasi, rumus, sumber
// data, klasifikasi penyajian, level estimasi, rujukan), for new and existing installations
// alike. Only fields still empty are filled: what a walidata wrote stays. Each entry changed
// is audited with its metadata before and after, by a named system actor.

const ACTOR = 'migration:0017_indicator_definitions';

interface DefinitionsFile {
  indicators: Record<string, Record<string, unknown>>;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const { indicators: definitions } = readReferenceJson<DefinitionsFile>('indicator-definitions.json');
  const { rows } = await sql<{ code: string; metadata: Record<string, unknown> }>`
    select code, metadata from indicators where code = any(${Object.keys(definitions)}::text[]) order by code for update`.execute(db);
  for (const { code, metadata } of rows) {
    const filled = Object.entries(definitions[code]!).filter(([field]) => isEmpty(metadata[field]));
    if (filled.length === 0) continue;
    const after = { ...metadata, ...Object.fromEntries(filled) };
    await sql`update indicators set metadata = ${JSON.stringify(after)}::jsonb, updated_at = now() where code = ${code}`.execute(db);
    await sql`
      insert into audit_log (actor_id, actor_role, actor_agency, action, entity_type, entity_id, before, after)
      values (${ACTOR}, 'system', null, 'indicator.metadata-filled', 'indicator', ${code},
              ${JSON.stringify({ metadata })}::jsonb, ${JSON.stringify({ metadata: after, filled: filled.map(([field]) => field) })}::jsonb)`.execute(db);
  }
}
