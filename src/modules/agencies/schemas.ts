import Type, { type Static } from 'typebox';
import { PageOf, PageQuery } from '../../http/schemas.js';
import { RegionCode } from '../regions/schemas.js';

export const AgencyCode = Type.String({
  pattern: '^[A-Z0-9][A-Z0-9_-]{1,39}$',
  description: 'Agency code: capitals, digits, `-`, `_`; by convention KIND-REGION, e.g. `DINSOS-6571`.',
  examples: ['DINSOS-6571'],
});

const fields = {
  name: Type.String({ minLength: 3, maxLength: 300, examples: ['Dinas Sosial Kota Salatiga'] }),
  kind: Type.String({ maxLength: 32, description: 'Codelist agency-kinds, e.g. DINSOS, DINKES, BPS.', examples: ['DINSOS'] }),
  jurisdiction_region_code: { ...RegionCode, description: 'The region the agency serves; a producer of this agency can only write data for regions inside it.', examples: ['33.73'] },
};

const example = {
  code: 'DINSOS-3373',
  name: 'Dinas Sosial Kota Salatiga',
  kind: 'DINSOS',
  jurisdiction_region_code: '33.73',
  jurisdiction_region_name: 'Kota Salatiga',
  created_at: '2026-01-05T02:00:00.000Z',
  updated_at: '2026-01-05T02:00:00.000Z',
};

export const Agency = Type.Object(
  {
    code: AgencyCode,
    ...fields,
    jurisdiction_region_name: Type.String(),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { title: 'Agency', examples: [example] },
);

export const AgencyCreate = Type.Object(
  { code: AgencyCode, ...fields },
  {
    title: 'AgencyCreate',
    additionalProperties: false,
    examples: [{ code: 'DINSOS-3373', name: 'Dinas Sosial Kota Salatiga', kind: 'DINSOS', jurisdiction_region_code: '33.73' }],
  },
);
export type AgencyCreateBody = Static<typeof AgencyCreate>;

export const AgencyPatch = Type.Partial(
  Type.Object({
    ...fields,
    reason: Type.String({
      minLength: 1,
      maxLength: 2000,
      description: 'Why the jurisdiction changes (e.g. the regulation that moves the agency); required when `jurisdiction_region_code` changes, kept in the audit log.',
    }),
  }),
  {
    additionalProperties: false,
    minProperties: 1,
    description: 'Only the fields sent change; the code never changes.',
    examples: [
      { name: 'Dinas Sosial, Pemberdayaan Perempuan dan Perlindungan Anak Kota Salatiga' },
      { jurisdiction_region_code: '65', reason: 'Pergub Kaltara No. 12/2026: UPT menjadi instansi tingkat provinsi.' },
    ],
  },
);
export type AgencyPatchBody = Static<typeof AgencyPatch>;

export const AgencyListQuery = Type.Object(
  {
    kind: Type.Optional(Type.String({ maxLength: 32, description: 'Filter by agency kind.' })),
    within: Type.Optional({ ...RegionCode, description: 'Agencies whose jurisdiction is this region or lies inside it.' }),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const AgencyPage = PageOf(Agency, 'Agencies ordered by code.', [{ data: [example], page: { next_cursor: null, limit: 100 } }], 'AgencyPage');
