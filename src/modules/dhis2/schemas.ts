import Type from 'typebox';
import { PushReportSchema, reportExample } from '../versions/schemas.js';

const Code = Type.String({ minLength: 1, maxLength: 50, pattern: '^[^\\u0000-\\u001f]+$', description: 'A DHIS2 code (at most 50 characters, as DHIS2 allows).' });

const Disaggregation = Type.Object(
  {
    sex: Type.Optional(Type.String({ maxLength: 50, description: 'Codelist sex.' })),
    age_group: Type.Optional(Type.String({ maxLength: 50, description: 'Codelist age-group.' })),
    disability: Type.Optional(Type.String({ maxLength: 50, description: 'Codelist disability.' })),
    desil: Type.Optional(Type.String({ maxLength: 50, description: 'Codelist desil (1–10); with desil_ranking_date.' })),
    desil_ranking_date: Type.Optional(Type.String({ maxLength: 10, description: 'YYYY-MM-DD of the DTSEN ranking; with desil.' })),
  },
  { additionalProperties: false, description: 'The breakdown; {} is the total.' },
);

const mappingExample = {
  data_set: 'PPKS_TAHUNAN',
  kemendagri_org_units: true,
  data_elements: [
    { code: 'PPKS_ANAK_TERLANTAR', indicator: 'PPKS-06' },
    { code: 'PPKS_ANAK_BALITA_TERLANTAR', indicator: 'PPKS-01' },
  ],
  category_option_combos: [
    { code: 'default', disaggregation: {} },
    { code: 'LAKI_LAKI', disaggregation: { sex: 'L' } },
    { code: 'PEREMPUAN', disaggregation: { sex: 'P' } },
  ],
  org_units: [{ code: 'KOTA_TARAKAN', region: '65.71' }],
};

const mappingFields = {
  data_set: Type.Union([Code, Type.Null()], { description: 'The DHIS2 data set code the payloads name: a payload naming another is reported (DHIS2_UNKNOWN_DATA_SET). Echoed as `dataSet` on export. Null: not checked.' }),
  kemendagri_org_units: Type.Boolean({
    description:
      'True: an org unit code not listed in `org_units` is read as a Kemendagri region code (most Indonesian DHIS2 instances use it as the org unit code) and checked as one; on export a region without a listed code goes out under its Kemendagri code. False: only the listed org units are known.',
  }),
  data_elements: Type.Array(Type.Object({ code: Code, indicator: Type.String({ maxLength: 50, description: "One of the dataset's indicators." }) }, { additionalProperties: false }), {
    maxItems: 1000,
    description: 'Data element code → indicator; each code and each indicator once.',
  }),
  category_option_combos: Type.Array(Type.Object({ code: Code, disaggregation: Disaggregation }, { additionalProperties: false }), {
    maxItems: 1000,
    description: 'Category option combo code → breakdown; each code and each breakdown once. An absent combo, or `default` unless mapped otherwise, is the total.',
  }),
  org_units: Type.Array(Type.Object({ code: Code, region: Type.String({ maxLength: 20, description: "A Kemendagri region code inside the agency's region." }) }, { additionalProperties: false }), {
    maxItems: 10_000,
    description: 'Org unit code → Kemendagri region code; each code and each region once.',
  }),
};

export const MappingBody = Type.Object(mappingFields, { additionalProperties: false, examples: [mappingExample] });

export const MappingSchema = Type.Object(
  { ...mappingFields, updated_by: Type.String({ description: 'Client that last replaced it.' }), updated_at: Type.String({ format: 'date-time' }) },
  { examples: [{ ...mappingExample, updated_by: 'sde-dinsos-6571-siks', updated_at: '2026-01-12T02:30:00.000Z' }] },
);

const Scheme = Type.String({ maxLength: 50, description: 'Only `CODE` (any case) is read; anything else → 400 DHIS2_ID_SCHEME_UNSUPPORTED.' });
const schemeFields = {
  idScheme: Type.Optional(Scheme),
  dataElementIdScheme: Type.Optional(Scheme),
  orgUnitIdScheme: Type.Optional(Scheme),
  categoryOptionComboIdScheme: Type.Optional(Scheme),
  dataSetIdScheme: Type.Optional(Scheme),
};
export const SCHEME_PARAMETERS = Object.keys(schemeFields) as (keyof typeof schemeFields)[];

export const PushQuery = Type.Object(
  {
    dryRun: Type.Optional(Type.Boolean({ description: 'Run everything, store nothing (DHIS2 `dryRun`).' })),
    async: Type.Optional(Type.Boolean({ description: 'DHIS2 `async=true`: run as a job, as `Prefer: respond-async` does.' })),
    firstRowIsHeader: Type.Optional(Type.Boolean({ description: 'CSV: whether the first row is a header (DHIS2 default true). DHIS2 reads CSV columns by position.' })),
    importStrategy: Type.Optional(
      Type.Enum(['CREATE_AND_UPDATE', 'CREATE', 'UPDATE', 'NEW_AND_UPDATES', 'NEW', 'UPDATES'], {
        description: 'Accepted for DHIS2 clients that always send it; every push is a new version that supersedes the previous one whatever it says (DELETE is not accepted).',
      }),
    ),
    ...schemeFields,
  },
  { additionalProperties: false },
);

const DataValueInput = Type.Object(
  {
    dataElement: Type.Optional(Type.Unknown({ description: 'Data element code.' })),
    period: Type.Optional(Type.Unknown({ description: "DHIS2 period (2024, 2024S1, 2024Q3, 202407); the set's when absent." })),
    orgUnit: Type.Optional(Type.Unknown({ description: "Org unit code; the set's when absent." })),
    categoryOptionCombo: Type.Optional(Type.Unknown({ description: 'Category option combo code; absent or `default` is the total.' })),
    attributeOptionCombo: Type.Optional(Type.Unknown({ description: 'Absent or `default` only.' })),
    value: Type.Optional(Type.Unknown({ description: 'The value, as DHIS2 sends it (text such as "12", or a number).' })),
    comment: Type.Optional(Type.Unknown({ description: "Stored as the observation's note." })),
    deleted: Type.Optional(Type.Unknown({ description: 'true is refused: a new version supersedes the previous one.' })),
  },
  { additionalProperties: true, description: 'Other DHIS2 fields (storedBy, created, lastUpdated, followup) are ignored.' },
);

const setExample = {
  dataSet: 'PPKS_TAHUNAN',
  completeDate: '2026-01-20',
  period: '2025',
  orgUnit: '65.71',
  dataValues: [
    { dataElement: 'PPKS_ANAK_TERLANTAR', categoryOptionCombo: 'LAKI_LAKI', value: '128', comment: 'pendataan TKSK' },
    { dataElement: 'PPKS_ANAK_TERLANTAR', categoryOptionCombo: 'PEREMPUAN', value: '97' },
    { dataElement: 'PPKS_ANAK_BALITA_TERLANTAR', value: '4' },
  ],
};

export const DataValueSetJson = Type.Object(
  {
    dataSet: Type.Optional(Type.String({ maxLength: 50 })),
    completeDate: Type.Optional(Type.String({ maxLength: 50, description: 'Ignored: completeness is the review workflow.' })),
    period: Type.Optional(Type.String({ maxLength: 50 })),
    orgUnit: Type.Optional(Type.String({ maxLength: 50 })),
    attributeOptionCombo: Type.Optional(Type.String({ maxLength: 50 })),
    ...schemeFields,
    dataValues: Type.Array(DataValueInput, { maxItems: 200_000, description: 'At most 200,000 values; send more as CSV.' }),
  },
  {
    additionalProperties: true,
    description: "A DHIS2 data value set (Web API `dataValueSets`, JSON), with codes (idScheme=CODE). Id schemes in the payload take precedence over the query's, as in DHIS2.",
    examples: [setExample],
  },
);

export const DataValueSetCsv = Type.Unsafe<unknown>({
  description:
    'DHIS2 CSV (`text/csv` or `application/csv`): columns by position — dataelement, period, orgunit, categoryoptioncombo, attributeoptioncombo, value, storedby, lastupdated, comment, followup, deleted; the first row is a header unless `firstRowIsHeader=false`. UTF-8. The CSV limits of a push apply (PUSH_MAX_COLUMNS, PUSH_MAX_CELL_BYTES, PUSH_MAX_LINE_BYTES → 413).',
  examples: ['dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\nPPKS_ANAK_TERLANTAR,2025,65.71,LAKI_LAKI,,128\nPPKS_ANAK_TERLANTAR,2025,65.71,PEREMPUAN,,97\n'],
});

const Conflict = Type.Object({
  object: Type.String({ description: 'The value received that the conflict is about (a code, a period, a value).' }),
  value: Type.String({ description: 'Why, in the language of Accept-Language.' }),
  errorCode: Type.String({ description: 'The finding code (stable), e.g. DHIS2_UNKNOWN_DATA_ELEMENT.' }),
  property: Type.Optional(Type.String()),
  indexes: Type.Optional(Type.Array(Type.Integer(), { description: '0-based index of the data value (JSON array position, CSV data row).' })),
});

export const ImportSummarySchema = Type.Object(
  {
    responseType: Type.Literal('ImportSummary'),
    status: Type.Enum(['SUCCESS', 'WARNING', 'ERROR'], { description: 'ERROR: the version was rejected (nothing imported); WARNING: taken with findings; SUCCESS: taken clean.' }),
    description: Type.String(),
    importCount: Type.Object({ imported: Type.Integer(), updated: Type.Integer(), ignored: Type.Integer(), deleted: Type.Integer() }),
    conflicts: Type.Array(Conflict),
    dataSetComplete: Type.Literal('false'),
  },
  { description: "DHIS2's ImportSummary." },
);

const summaryExample = {
  httpStatus: 'Created',
  httpStatusCode: 201,
  status: 'ERROR',
  message: 'The import was rejected: see conflicts.',
  response: {
    responseType: 'ImportSummary',
    status: 'ERROR',
    description: 'Ditolak: perbaiki temuan berkategori error lalu kirim ulang / rejected: fix the error findings and push again.',
    importCount: { imported: 0, updated: 0, ignored: 3, deleted: 0 },
    conflicts: [{ object: 'PPKS_ANAK_HILANG', value: "data element \"PPKS_ANAK_HILANG\" is not in this dataset's DHIS2 mapping", errorCode: 'DHIS2_UNKNOWN_DATA_ELEMENT', property: 'dataElement', indexes: [2] }],
    dataSetComplete: 'false',
  },
  report: { ...reportExample, format: 'dhis2-json' },
};

export const Dhis2PushAnswer = Type.Object(
  {
    httpStatus: Type.String(),
    httpStatusCode: Type.Integer(),
    status: Type.Enum(['OK', 'WARNING', 'ERROR']),
    message: Type.String(),
    response: ImportSummarySchema,
    report: { ...PushReportSchema, description: 'The validation report, as every push gets it (version, status, summary, findings).' },
  },
  { description: "A DHIS2 WebMessage (as DHIS2 2.38+ answers an import) around the import summary, with the push's own report beside it.", examples: [summaryExample] },
);

export const ExportQuery = Type.Object(
  {
    period: Type.Optional(Type.Array(Type.String({ maxLength: 20 }), { maxItems: 100, description: 'DHIS2 periods (repeatable): 2025, 2025S1, 2025Q3, 202507.' })),
    orgUnit: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 100, description: "Org unit codes (repeatable); the agency's region and everything inside it when absent." })),
    children: Type.Optional(Type.Boolean({ description: 'With orgUnit: the regions inside each as well (DHIS2 `children`).' })),
    format: Type.Optional(Type.Enum(['json', 'csv'], { description: 'csv gives DHIS2 CSV (as does Accept: text/csv or application/csv).' })),
    ...schemeFields,
  },
  { additionalProperties: false },
);

export const ExportSchema = Type.Object(
  {
    dataSet: Type.Optional(Type.String()),
    dataValues: Type.Array(
      Type.Object({
        dataElement: Type.String(),
        period: Type.String(),
        orgUnit: Type.String(),
        categoryOptionCombo: Type.String(),
        value: Type.String(),
        lastUpdated: Type.String({ format: 'date-time', description: 'When the figure took this value.' }),
        comment: Type.String({ description: 'Provenance: the method and the source agency and version.' }),
      }),
    ),
  },
  {
    examples: [
      {
        dataSet: 'PPKS_TAHUNAN',
        dataValues: [{ dataElement: 'PPKS_ANAK_TERLANTAR', period: '2025', orgUnit: '65.71', categoryOptionCombo: 'LAKI_LAKI', value: '128', lastUpdated: '2026-02-10T03:00:00.000Z', comment: 'single-source: DINSOS-6571 v2' }],
      },
    ],
  },
);
