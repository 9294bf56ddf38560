import { type Kysely, sql } from 'kysely';
import { readReferenceCsv, readReferenceFile, readReferenceJson, type CopyFromBlob } from './reference-files.js';

// Frozen once released: later reference updates go in new migrations.

const REGIONS_FILE = 'wilayah-kepmendagri-2025.csv';
const REGION_CODE = '^[0-9]{2}([.][0-9]{2}([.][0-9]{2}([.][0-9]{4})?)?)?$';

interface CodelistFile {
  name: string;
  title_id: string;
  title_en: string;
  description_id: string;
  description_en: string;
  codes: { code: string; label_id: string; label_en: string; attributes: Record<string, unknown> }[];
}

/** `copyFromBlob`, where the engine has it, loads the regions faster; the data stored is the same. */
export async function up(db: Kysely<unknown>, copyFromBlob?: CopyFromBlob): Promise<void> {
  await loadCodelists(db);
  await loadRegions(db, copyFromBlob);
  await loadPopulations(db);
  await loadIndicators(db);
}

async function loadCodelists(db: Kysely<unknown>): Promise<void> {
  for (const list of readReferenceJson<CodelistFile[]>('codelists.json')) {
    await sql`
      insert into codelists (name, title_id, title_en, description_id, description_en)
      values (${list.name}, ${list.title_id}, ${list.title_en}, ${list.description_id}, ${list.description_en})`.execute(db);
    await sql`
      insert into codelist_codes (codelist, code, label_id, label_en, sort_order, attributes)
      select ${list.name}, c.code, c.label_id, c.label_en, c.ord::int, c.attributes::jsonb
      from unnest(${list.codes.map((c) => c.code)}::text[], ${list.codes.map((c) => c.label_id)}::text[],
                  ${list.codes.map((c) => c.label_en)}::text[], ${list.codes.map((c) => JSON.stringify(c.attributes))}::text[])
           with ordinality as c(code, label_id, label_en, attributes, ord)`.execute(db);
  }
}

async function loadRegions(db: Kysely<unknown>, copyFromBlob: CopyFromBlob | undefined): Promise<void> {
  // The file goes into a staging table as it is, by COPY where the engine can take it from
  // here (PGlite), so neither JavaScript nor the wire handles 91,599 rows one by one.
  await sql`create temporary table region_file (code text, name text)`.execute(db);
  if (copyFromBlob) {
    await copyFromBlob(`copy region_file (code, name) from '/dev/blob' with (format csv, header true)`, new Blob([readReferenceFile(REGIONS_FILE)]));
  } else {
    const rows = readReferenceCsv(REGIONS_FILE);
    await sql`insert into region_file select * from unnest(${rows.map((r) => r.code)}::text[], ${rows.map((r) => r.name)}::text[])`.execute(db);
  }
  const bad = await sql<{ code: string | null }>`select code from region_file where code is null or code !~ ${REGION_CODE} limit 1`.execute(db);
  if (bad.rows[0]) throw new Error(`Malformed region code in reference data: ${JSON.stringify(bad.rows[0].code)}`);
  // Checking the parent of each row as it goes in, and keeping three indexes up to date row by
  // row, took most of the load: the key and indexes are rebuilt, unchanged, after it.
  await sql`alter table regions drop constraint regions_parent_code_fkey`.execute(db);
  await sql`drop index regions_parent_code_idx`.execute(db);
  await sql`drop index regions_level_idx`.execute(db);
  // Level, parent and kind follow from the code (Permendagri 58/2021), so derive them here.
  // The file's fields are trimmed, as the CSV reader of the other reference files does.
  await sql`
    insert into regions (code, name, level, kind, parent_code)
    select r.code, r.name, cardinality(string_to_array(r.code, '.')),
           case cardinality(string_to_array(r.code, '.'))
             when 1 then 'provinsi'
             when 2 then case when split_part(r.code, '.', 2)::int < 70 then 'kabupaten' else 'kota' end
             when 3 then 'kecamatan'
             else case when left(split_part(r.code, '.', 4), 1) = '1' then 'kelurahan' else 'desa' end
           end,
           nullif(regexp_replace(r.code, '[.]?[^.]+$', ''), '')
    from (select btrim(code) as code, btrim(name) as name from region_file) r
    order by r.code`.execute(db);
  await sql`drop table region_file`.execute(db);
  await sql`create index regions_parent_code_idx on regions (parent_code, code)`.execute(db);
  await sql`create index regions_level_idx on regions (level, code)`.execute(db);
  await sql`alter table regions add constraint regions_parent_code_fkey foreign key (parent_code) references regions (code)`.execute(db);
  // Built after the bulk load: maintaining a GIN index row by row is several times slower.
  await sql`create index regions_name_trgm_idx on regions using gin (lower(name) gin_trgm_ops)`.execute(db);
}

async function loadPopulations(db: Kysely<unknown>): Promise<void> {
  // Code "0" is the national total; it is not a region, and equals the sum of the provinces.
  const rows = readReferenceCsv('penduduk-2025.csv').filter((r) => r.code !== '0');
  await sql`
    insert into populations (region_code, year, male, female, total, source)
    select p.code, 2025, p.male::bigint, p.female::bigint, p.total::bigint,
           'Kepmendagri No. 300.2.2-2138 Tahun 2025 (github.com/cahyadsn/wilayah, MIT)'
    from unnest(${rows.map((r) => r.code)}::text[], ${rows.map((r) => r.male)}::text[],
                ${rows.map((r) => r.female)}::text[], ${rows.map((r) => r.total)}::text[]) as p(code, male, female, total)`.execute(db);
}

/** Disaggregations a new catalogue entry allows until the walidata says otherwise. */
const DEFAULT_DISAGGREGATIONS: Record<string, string[]> = {
  ppks: ['sex', 'age_group', 'disability'],
  ikesos: ['sex', 'desil'],
};

async function loadIndicators(db: Kysely<unknown>): Promise<void> {
  const rows = readReferenceCsv('indicators.csv');
  for (const r of rows) {
    const metadata = {
      konsep: null,
      definisi: null,
      interpretasi: null,
      metode_perhitungan: null,
      klasifikasi_penyajian: [],
      indikator_komposit: false,
      indikator_pembangun: [],
      level_estimasi: null,
      dapat_diakses_umum: true,
    };
    await sql`
      insert into indicators (code, name, name_en, "group", measure, unit, value_type, valid_min, valid_max,
                              direction, dimension, source_agency_kinds, periodicity, disaggregations, metadata)
      select ${r.code}, ${r.name}, ${r.name_en}, ${r.group}, ${r.measure}, ${r.unit},
             (select attributes->>'value_type' from codelist_codes where codelist = 'measures' and code = ${r.measure}),
             ${r.valid_min || null}::numeric, ${r.valid_max || null}::numeric,
             ${r.direction || null}, ${r.dimension || null},
             string_to_array(${r.source_agencies}, ';'), ${r.periodicity},
             ${DEFAULT_DISAGGREGATIONS[r.group ?? ''] ?? []}::text[], ${JSON.stringify(metadata)}::jsonb`.execute(db);
  }
}
