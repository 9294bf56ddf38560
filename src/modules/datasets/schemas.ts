import { VERSION_STATUSES } from '../../domain/review-rules.js';
import Type, { type Static } from 'typebox';
import { NikFreeText, PageOf, PageQuery } from '../../http/schemas.js';
import { IndicatorCode } from '../indicators/schemas.js';
import { REGION_LEVELS } from '../../domain/region-code.js';

const PeriodText = Type.String({ pattern: '^\\d{4}(-S[12]|-Q[1-4]|-(0[1-9]|1[0-2]))?$', examples: ['2025'] });

const metadataFields = {
  description: Type.Optional(NikFreeText({ maxLength: 4000, description: 'What the dataset holds (recommended).' })),
  reference_periods: Type.Array(PeriodText, { maxItems: 100, description: 'Reference period(s), e.g. ["2025"].' }),
  update_schedule: Type.Enum(['tahunan', 'semesteran', 'triwulanan', 'bulanan', 'insidental'], { description: 'Jadwal pemutakhiran.' }),
  primary_source: NikFreeText({ maxLength: 500, description: 'Sumber data primer, e.g. "Pendataan PPKS oleh TKSK".' }),
  responsible_institution: NikFreeText({ maxLength: 500, description: 'Instansi penanggung jawab.' }),
  steward_name: NikFreeText({ maxLength: 200, description: 'Nama petugas/penanggung jawab data.' }),
  steward_contact: NikFreeText({ maxLength: 200, description: 'E-mail or Indonesian phone number of the data steward.' }),
  access_classification: Type.Enum(['terbuka', 'terbatas', 'tertutup'], { description: 'Klasifikasi akses: terbuka (open), terbatas (restricted), tertutup (closed).' }),
  estimation_levels: Type.Optional(Type.Array(Type.Enum([...REGION_LEVELS]), { maxItems: 4, uniqueItems: true, description: 'Region levels the figures are estimated at (recommended).' })),
  notes: Type.Optional(NikFreeText({ maxLength: 4000, description: 'Catatan (recommended).' })),
};

const createExample = {
  title: 'Jumlah PPKS per kabupaten/kota',
  description: 'Jumlah Pemerlu Pelayanan Kesejahteraan Sosial hasil pendataan tahunan.',
  indicators: ['PPKS-01', 'PPKS-06'],
  reference_periods: ['2025'],
  update_schedule: 'tahunan',
  primary_source: 'Pendataan PPKS oleh TKSK dan pendamping sosial',
  responsible_institution: 'Dinas Sosial Kota Tarakan',
  steward_name: 'Siti Rahmawati',
  steward_contact: 'data.dinsos@tarakankota.go.id',
  access_classification: 'terbuka',
  estimation_levels: ['kabkota'],
  notes: 'Angka sementara sampai verifikasi walidata.',
};

export const DatasetCreate = Type.Object(
  {
    title: NikFreeText({ minLength: 3, maxLength: 300 }),
    indicators: Type.Array(IndicatorCode, { minItems: 1, maxItems: 200, uniqueItems: true, description: 'Indicator codes the dataset covers.' }),
    ...metadataFields,
  },
  { title: 'DatasetCreate', additionalProperties: false, examples: [createExample] },
);
export type DatasetCreateBody = Static<typeof DatasetCreate>;

export const DatasetPatch = Type.Partial(Type.Object({ title: DatasetCreate.properties.title, indicators: DatasetCreate.properties.indicators, ...metadataFields }), {
  additionalProperties: false,
  minProperties: 1,
  description: 'Only the fields sent change. Existing versions keep the metadata they were validated against.',
  examples: [{ steward_contact: '+62 812-3456-7890' }],
});
export type DatasetPatchBody = Static<typeof DatasetPatch>;

const LatestVersion = Type.Union(
  [
    Type.Object({
      version: Type.Integer(),
      status: Type.String(),
      submitted_at: Type.String({ format: 'date-time' }),
    }),
    Type.Null(),
  ],
  { description: 'The newest version, or null before the first push.' },
);

const datasetExample = {
  id: '0b6f3f0e-3c2e-4a8e-9a59-2f0f4f7d9c11',
  agency: 'DINSOS-6571',
  ...createExample,
  latest_version: { version: 3, status: 'submitted', submitted_at: '2026-01-20T03:00:00.000Z' },
  created_at: '2026-01-05T02:00:00.000Z',
  updated_at: '2026-01-05T02:00:00.000Z',
};

export const Dataset = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    agency: Type.String({ description: 'Code of the owning agency.' }),
    title: Type.String(),
    indicators: Type.Array(Type.String()),
    description: Type.Optional(Type.String()),
    reference_periods: Type.Optional(Type.Array(Type.String())),
    update_schedule: Type.Optional(Type.String()),
    primary_source: Type.Optional(Type.String()),
    responsible_institution: Type.Optional(Type.String()),
    steward_name: Type.Optional(Type.String()),
    steward_contact: Type.Optional(Type.String()),
    access_classification: Type.Optional(Type.String()),
    estimation_levels: Type.Optional(Type.Array(Type.String())),
    notes: Type.Optional(Type.String()),
    latest_version: LatestVersion,
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { title: 'Dataset', examples: [datasetExample] },
);

export const DatasetListQuery = Type.Object(
  {
    agency: Type.Optional(Type.String({ maxLength: 40, description: 'Owning agency code.' })),
    indicator: Type.Optional(Type.String({ maxLength: 32, description: 'Datasets covering this indicator.' })),
    status: Type.Optional(Type.Enum(['none', ...VERSION_STATUSES], { description: 'Status of the latest version (`none`: never pushed).' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const DatasetPage = PageOf(Dataset, 'Datasets, newest first.', [{ data: [datasetExample], page: { next_cursor: null, limit: 100 } }], 'DatasetPage');
export const DatasetParams = Type.Object({ id: Type.String({ format: 'uuid', description: 'Dataset id.' }) });
