import Type, { type Static } from 'typebox';
import { PageOf, PageQuery } from '../../http/schemas.js';
import { REGION_CODE_PATTERN, REGION_LEVELS } from '../../domain/region-code.js';

export const RegionCode = Type.String({
  pattern: REGION_CODE_PATTERN,
  maxLength: 13,
  description: 'Kemendagri region code, always text: `65` provinsi, `65.01` kab/kota, `65.01.01` kecamatan, `65.01.01.2001` desa/kelurahan.',
  examples: ['65.71'],
});

export const RegionLevel = Type.Enum([...REGION_LEVELS], { description: 'Administrative level.' });
export type RegionKind = Static<typeof RegionKind>;
const RegionKind = Type.Enum(['provinsi', 'kabupaten', 'kota', 'kecamatan', 'desa', 'kelurahan'], {
  description: 'Kab/kota segment 01–69 is a kabupaten, 71–99 a kota; a desa code starting with 1 is a kelurahan.',
});

export const Region = Type.Object({
  code: RegionCode,
  name: Type.String(),
  level: RegionLevel,
  kind: RegionKind,
  parent_code: Type.Union([Type.String(), Type.Null()]),
}, { title: 'Region' });

export const RegionDetail = Type.Object(
  {
    ...Region.properties,
    parents: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), level: RegionLevel }), {
      description: 'Ancestors from the provinsi down to the direct parent.',
    }),
    child_count: Type.Integer({ description: 'Number of regions directly below this one.' }),
    population: Type.Union(
      [
        Type.Object({
          year: Type.Integer(),
          male: Type.Integer(),
          female: Type.Integer(),
          total: Type.Integer(),
          source: Type.String(),
        }),
        Type.Null(),
      ],
      { description: 'Population reference (provinsi and kab/kota only).' },
    ),
  },
  {
    title: 'RegionDetail',
    examples: [
      {
        code: '65.71',
        name: 'Kota Tarakan',
        level: 'kabkota',
        kind: 'kota',
        parent_code: '65',
        parents: [{ code: '65', name: 'Kalimantan Utara', level: 'provinsi' }],
        child_count: 4,
        population: { year: 2025, male: 130000, female: 125000, total: 255000, source: 'Kepmendagri No. 300.2.2-2138 Tahun 2025' },
      },
    ],
  },
);

export const RegionListQuery = Type.Object(
  {
    parent: Type.Optional({ ...RegionCode, description: 'Only the direct children of this region (e.g. `65` for the kab/kota of Kalimantan Utara).' }),
    level: Type.Optional(RegionLevel),
    q: Type.Optional(Type.String({ minLength: 2, maxLength: 100, description: 'Case-insensitive search in the region name.' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const RegionPage = PageOf(Region, 'Regions ordered by code.', [
  {
    data: [{ code: '65.01', name: 'Kabupaten Malinau', level: 'kabkota', kind: 'kabupaten', parent_code: '65' }],
    page: { next_cursor: null, limit: 100 },
  },
], 'RegionPage');
