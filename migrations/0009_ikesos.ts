import { type Kysely, sql } from 'kysely';

// Frozen once released: later changes go in new migrations. The default methodology below is
// built from the catalogue as it stands when this runs; later versions are data (the API).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table ikesos_methodologies (
      id bigint generated always as identity primary key,
      version text not null unique,
      name text not null,
      description text not null,
      provisional boolean not null,
      status text not null check (status in ('draft', 'active', 'retired')),
      config jsonb not null,
      created_by text not null,
      created_at timestamptz not null default now(),
      activated_by text,
      activated_at timestamptz,
      retired_at timestamptz
    )`.execute(db);
  // Exactly one methodology is active at a time.
  await sql`create unique index ikesos_methodologies_one_active_idx on ikesos_methodologies ((true)) where status = 'active'`.execute(db);

  await sql`
    create table ikesos_official_scores (
      region_code text not null references regions(code),
      period text not null,
      score numeric not null,
      category text,
      source text not null,
      loaded_by text not null,
      loaded_at timestamptz not null default now(),
      primary key (region_code, period)
    )`.execute(db);

  const { rows } = await sql<{ code: string; direction: string; dimension: string; dimension_name: string; valid_min: string; valid_max: string }>`
    select i.code, i.direction, i.dimension, c.label_id as dimension_name, i.valid_min::text as valid_min, i.valid_max::text as valid_max
    from indicators i
    join codelist_codes c on c.codelist = 'ikesos-dimensions' and c.code = i.dimension
    where i."group" = 'ikesos'
    order by c.sort_order, i.code`.execute(db);
  const dimensions: { code: string; name: string; weight: number; indicators: object[] }[] = [];
  for (const r of rows) {
    let d = dimensions.find((x) => x.code === r.dimension);
    if (!d) dimensions.push((d = { code: r.dimension, name: r.dimension_name, weight: 1, indicators: [] }));
    d.indicators.push({ code: r.code, direction: r.direction, weight: 1, goalposts: { min: Number(r.valid_min), max: Number(r.valid_max) } });
  }
  const config = {
    normalisation: 'goalposts',
    aggregation: { within: 'arithmetic', across: 'arithmetic' },
    floor: 0.01,
    scale: { min: 0, max: 100 },
    categories: [
      { label: 'rendah', min: 0 },
      { label: 'sedang', min: 40 },
      { label: 'tinggi', min: 60 },
      { label: 'sangat tinggi', min: 80 },
    ],
    coverage: { min_dimension: 0.5, min_overall: 0.75 },
    dimensions,
  };
  await sql`
    insert into ikesos_methodologies (version, name, description, provisional, status, config, created_by, activated_by, activated_at)
    values ('2026.0-sementara', 'IKESOS bawaan (sementara)',
            ${'Metodologi sementara: 15 indikator IKESOS katalog dalam lima dimensi, bobot sama, normalisasi goalpost dari rentang valid tiap indikator, rata-rata aritmetik, skala 0–100. Kementerian Sosial belum menerbitkan bobot dan normalisasi resmi. / Provisional: the 15 catalogue IKESOS indicators in five dimensions, equal weights, goalposts from each indicator\'s valid range, arithmetic means, 0–100. The ministry has not published official weights or normalisation.'},
            true, 'active', ${JSON.stringify(config)}::jsonb, 'system:migration', 'system:migration', now())`.execute(db);
}
