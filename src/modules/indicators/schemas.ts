import Type, { type Static } from 'typebox';
import { Nullable, NullableString, PageOf, PageQuery } from '../../http/schemas.js';
import { EMPTY_METADATA } from './indicator-rules.js';

export const IndicatorCode = Type.String({
  pattern: '^[A-Z0-9][A-Z0-9_.-]{1,31}$',
  description: 'Catalogue code: capitals, digits, `-`, `_`, `.`; e.g. `IKS-12`, `PPKS-06`.',
  examples: ['PPKS-06'],
});

const Metadata = Type.Object(
  {
    konsep: NullableString({ description: 'Konsep (concept).' }),
    definisi: NullableString({ description: 'Definisi (definition).' }),
    interpretasi: NullableString({ description: 'Interpretasi (how to read the value).' }),
    metode_perhitungan: NullableString({ description: 'Metode/rumus perhitungan (method or formula).' }),
    sumber_data: NullableString({ description: 'Sumber data: who produces the figures and from what (survey, register, programme data).' }),
    klasifikasi_penyajian: Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50, description: 'Klasifikasi penyajian (presentation breakdowns).' }),
    indikator_komposit: Type.Boolean({ description: 'Indikator komposit: is it built from other indicators?' }),
    indikator_pembangun: Type.Array(IndicatorCode, { maxItems: 100, description: 'Building indicators, required when indikator_komposit is true.' }),
    level_estimasi: NullableString({ maxLength: 200, description: 'Level estimasi (lowest level the figure is estimated for).' }),
    dapat_diakses_umum: Type.Boolean({ description: 'Dapat diakses umum (publicly accessible).' }),
    rujukan: Type.Array(
      Type.Object(
        {
          judul: Type.String({ minLength: 3, maxLength: 500, description: 'Title of the regulation, publication or metadata page.' }),
          bagian: Nullable(Type.String({ maxLength: 300 }), { description: 'Article, section or annex, or null.' }),
          tahun: Nullable(Type.Integer({ minimum: 1900, maximum: 2100 }), { description: 'Year, or null.' }),
          url: Nullable(Type.String({ maxLength: 500, pattern: '^https?://' }), { description: 'Where it is published, or null.' }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 20, description: 'Rujukan: the published sources the konsep, definisi and rumus were written from.' },
    ),
  },
  { additionalProperties: false, description: 'BPS Metadata Indikator (MS-Ind) fields.' },
);

const editable = {
  name: Type.String({ minLength: 3, maxLength: 300, description: 'Nama indikator.' }),
  name_en: Type.String({ minLength: 3, maxLength: 300 }),
  group: Type.String({ maxLength: 64, description: 'Codelist indicator-groups.', examples: ['ppks'] }),
  measure: Type.String({ maxLength: 64, description: 'Ukuran; codelist measures (jumlah, persentase, rasio, rata-rata, indeks).' }),
  unit: Type.String({ maxLength: 64, description: 'Satuan; codelist units.' }),
  valid_min: Nullable(Type.Number(), { description: 'Lowest plausible value, or null.' }),
  valid_max: Nullable(Type.Number(), { description: 'Highest plausible value, or null.' }),
  direction: Nullable(Type.String({ maxLength: 32 }), { description: 'Codelist directions; required for IKESOS indicators.' }),
  dimension: Nullable(Type.String({ maxLength: 64 }), { description: 'Codelist ikesos-dimensions; required for IKESOS indicators.' }),
  source_agency_kinds: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 30, uniqueItems: true, description: 'Agency kinds that produce it (codelist agency-kinds).' }),
  periodicity: Type.String({ maxLength: 32, description: 'Codelist periods (tahunan, semesteran, triwulanan, bulanan, insidental).' }),
  disaggregations: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 10, uniqueItems: true, description: 'Allowed disaggregation dimensions (codelist disaggregation-dimensions).' }),
};

const example = {
  code: 'PPKS-06',
  name: 'Anak yang Menjadi Korban Tindak Kekerasan',
  name_en: 'Child victims of violence',
  group: 'ppks',
  measure: 'jumlah',
  unit: 'orang',
  value_type: 'integer',
  valid_min: 0,
  valid_max: null,
  direction: null,
  dimension: null,
  source_agency_kinds: ['DINSOS', 'DP3AP2KB'],
  periodicity: 'tahunan',
  disaggregations: ['sex', 'age_group', 'disability'],
  metadata: {
    ...EMPTY_METADATA,
    konsep: 'Pemerlu Pelayanan Kesejahteraan Sosial (PPKS) adalah perseorangan, keluarga, kelompok, dan/atau masyarakat yang … memerlukan pelayanan sosial.',
    definisi: 'Anak (belum berusia 18 tahun) yang terancam secara fisik dan nonfisik karena tindak kekerasan, diperlakukan salah atau tidak semestinya …',
    interpretasi: 'Banyaknya orang yang tercatat sebagai anak yang menjadi korban tindak kekerasan di suatu wilayah pada periode rujukan; …',
    metode_perhitungan: 'Jumlah orang yang memenuhi definisi dan kriteria hasil pendataan serta verifikasi dan validasi: Σ orang terverifikasi memenuhi kriteria.',
    sumber_data: 'Dinas Sosial kabupaten/kota: hasil pendataan dan verifikasi-validasi PPKS …',
    klasifikasi_penyajian: ['Wilayah: provinsi, kabupaten/kota, kecamatan, desa/kelurahan', 'Jenis kelamin', 'Kelompok umur', 'Status disabilitas'],
    level_estimasi: 'Kabupaten/kota; dapat dirinci sampai desa/kelurahan sejauh pendataan mencakupnya',
    rujukan: [
      {
        judul: 'Peraturan Menteri Sosial Nomor 08 Tahun 2012 tentang Pedoman Pendataan dan Pengelolaan Data Penyandang Masalah Kesejahteraan Sosial dan Potensi dan Sumber Kesejahteraan Sosial',
        bagian: 'Lampiran (definisi dan kriteria PMKS)',
        tahun: 2012,
        url: 'https://jdih.kemensos.go.id',
      },
    ],
  },
  metadata_completeness: { score: 100, required: { present: 9, total: 9 }, recommended: { present: 2, total: 2 }, missing: [] },
  created_at: '2026-01-05T02:00:00.000Z',
  updated_at: '2026-01-05T02:00:00.000Z',
};

const MetadataCompleteness = Type.Object(
  {
    score: Type.Integer({ description: '0–100: required MS-Ind fields weigh two thirds, recommended ones (klasifikasi_penyajian, level_estimasi) one third.' }),
    required: Type.Object({ present: Type.Integer(), total: Type.Integer() }),
    recommended: Type.Object({ present: Type.Integer(), total: Type.Integer() }),
    missing: Type.Array(Type.String(), { description: 'MS-Ind fields absent, placeholder-only ("-", "n/a") or malformed.' }),
  },
  {
    description:
      'How complete the MS-Ind metadata is, judged by the same rules as datasets\' metadata: nama indikator, konsep, definisi, interpretasi, metode/rumus, ukuran, satuan, sumber data and at least one rujukan are required. Every shipped indicator scores 100.',
  },
);

export const Indicator = Type.Object(
  {
    code: IndicatorCode,
    ...editable,
    value_type: Type.Enum(['integer', 'decimal'], { description: 'Derived from the measure: counts are integers.' }),
    metadata: Metadata,
    metadata_completeness: MetadataCompleteness,
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { title: 'Indicator', examples: [example] },
);

export const IndicatorCreate = Type.Object(
  {
    code: IndicatorCode,
    name: editable.name,
    name_en: editable.name_en,
    group: editable.group,
    measure: editable.measure,
    unit: editable.unit,
    valid_min: Type.Optional(editable.valid_min),
    valid_max: Type.Optional(editable.valid_max),
    direction: Type.Optional(editable.direction),
    dimension: Type.Optional(editable.dimension),
    source_agency_kinds: editable.source_agency_kinds,
    periodicity: editable.periodicity,
    disaggregations: Type.Optional(editable.disaggregations),
    metadata: Type.Optional(Type.Partial(Metadata, { additionalProperties: false })),
  },
  {
    title: 'IndicatorCreate',
    additionalProperties: false,
    examples: [
      {
        code: 'PPKS-27',
        name: 'Anak Korban Perundungan',
        name_en: 'Child victims of bullying',
        group: 'ppks',
        measure: 'jumlah',
        unit: 'orang',
        valid_min: 0,
        source_agency_kinds: ['DINSOS', 'DP3AP2KB'],
        periodicity: 'tahunan',
        disaggregations: ['sex', 'age_group'],
        metadata: { definisi: 'Anak usia 0-17 tahun yang menjadi korban perundungan.', dapat_diakses_umum: true },
      },
    ],
  },
);
export type IndicatorCreateBody = Static<typeof IndicatorCreate>;

export const IndicatorPatch = Type.Object(
  {
    ...Type.Partial(Type.Object(editable)).properties,
    metadata: Type.Optional(Type.Partial(Metadata, { additionalProperties: false })),
  },
  {
    title: 'IndicatorPatch',
    additionalProperties: false,
    minProperties: 1,
    description: 'Only the fields given change; `metadata` fields merge into the existing metadata.',
    examples: [{ valid_max: 5000, metadata: { definisi: 'Anak usia 0-17 tahun korban kekerasan fisik, psikis atau seksual.' } }],
  },
);
export type IndicatorPatchBody = Static<typeof IndicatorPatch>;

export const IndicatorListQuery = Type.Object(
  {
    group: Type.Optional(Type.String({ maxLength: 64, description: 'Filter by group, e.g. `ikesos` or `ppks`.' })),
    dimension: Type.Optional(Type.String({ maxLength: 64, description: 'Filter by IKESOS dimension.' })),
    source_agency_kind: Type.Optional(Type.String({ maxLength: 32, description: 'Indicators this agency kind produces, e.g. `DINKES`.' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const IndicatorPage = PageOf(Indicator, 'Indicators ordered by code.', [
  { data: [example], page: { next_cursor: null, limit: 100 } },
], 'IndicatorPage');
