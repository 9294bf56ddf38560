import Type from 'typebox';
import { REFERENCES, STRUCTURE_RESOURCES } from './model.js';

const PERIOD = '^\\d{4}(-(S[12]|Q[1-4]|0[1-9]|1[0-2]))?$';
const ID = '^[A-Za-z0-9_@$-]{1,64}$';

export const STRUCTURE_TYPE = 'application/vnd.sdmx.structure+xml;version=2.1';
export const DATA_TYPES = {
  xml: 'application/vnd.sdmx.structurespecificdata+xml;version=2.1',
  csv: 'application/vnd.sdmx.data+csv;version=1.0.0',
  json: 'application/vnd.sdmx.data+json;version=1.0.0',
} as const;
export const SCHEMA_TYPE = 'application/vnd.sdmx.schema+xml;version=2.1';

/** The media type without its parameters: how the OpenAPI document names what a response carries. */
const bare = (type: string) => type.split(';')[0]!;

const resource = Type.Enum([...STRUCTURE_RESOURCES], { description: 'The kind of structure.' });

export const ResourceParams = Type.Object({ resource });

export const StructureParams = Type.Object({
  resource,
  agencyID: Type.String({ pattern: '^[A-Za-z0-9_@$-]{1,64}$', description: '`SATUDATA`, or `all`.', examples: ['SATUDATA'] }),
  resourceID: Type.String({ pattern: ID, description: 'The structure id (a dataflow is an indicator code, `PPKS-06`; its structure `DSD_PPKS-06`; codelists `CL_AREA`, `CL_SEX`, …; the concept scheme `CS_SATUDATA`), or `all`.', examples: ['PPKS-06'] }),
  version: Type.String({ pattern: '^(\\d+\\.\\d+|latest|all)$', description: '`1.0`, `latest` or `all` (every structure is at 1.0).', examples: ['1.0'] }),
});

export const StructureQuery = Type.Object({
  references: Type.Optional(
    Type.Enum([...REFERENCES], {
      description: 'What to add: `children` (a dataflow → its data structure; a data structure → its codelists and concept scheme), `descendants` (all the way down), `parents` (the other way up), `all`. Default `none`.',
    }),
  ),
  detail: Type.Optional(Type.Enum(['full'], { description: 'Only `full` is served.' })),
});

const structureExample = `<?xml version="1.0" encoding="UTF-8"?><mes:Structure xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" xmlns:str="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure" xmlns:com="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"><mes:Header>…</mes:Header><mes:Structures><str:Codelists><str:Codelist id="CL_AREA" agencyID="SATUDATA" version="1.0" isFinal="true">…<str:Code id="3373"><com:Annotations><com:Annotation><com:AnnotationTitle>33.73</com:AnnotationTitle><com:AnnotationType>KEMENDAGRI_CODE</com:AnnotationType></com:Annotation></com:Annotations><com:Name xml:lang="id">Kota Salatiga</com:Name><com:Name xml:lang="en">Kota Salatiga</com:Name><str:Parent><Ref id="33"/></str:Parent></str:Code>…</str:Codelist></str:Codelists></mes:Structures></mes:Structure>`;

export const StructureResponse = {
  description: 'An SDMX-ML 2.1 structure message (sent as `application/vnd.sdmx.structure+xml;version=2.1`).',
  content: { [bare(STRUCTURE_TYPE)]: { schema: Type.String({ examples: [structureExample] }) } },
};

const flowRef = Type.String({
    pattern: '^([A-Za-z0-9_@$-]{1,64},)?[A-Za-z0-9_@$-]{1,64}(,[A-Za-z0-9_.@$-]{1,16})?$',
    description: 'The dataflow: `PPKS-06`, `SATUDATA,PPKS-06` or `SATUDATA,PPKS-06,1.0` (or `latest`).',
    examples: ['SATUDATA,PPKS-06,1.0'],
  });

export const FlowParams = Type.Object({ flowRef });

export const DataParams = Type.Object({
  flowRef,
  key: Type.String({
    maxLength: 20000,
    pattern: '^[A-Za-z0-9_@$+.-]*$',
    description:
      'The series key: one part per dimension of the flow, joined by dots (REF_AREA first, as compact Kemendagri codes without dots: `3373` for 33.73; then the breakdowns the indicator allows, `_T` for the total). An empty part is any code; join several codes with `+`. `all` is every key.',
    examples: ['6571+3373'],
  }),
});

export const DataQuery = Type.Object({
  startPeriod: Type.Optional(Type.String({ pattern: PERIOD, description: 'First period (`2024`, `2024-S1`, `2024-Q3`, `2024-07`).', examples: ['2020'] })),
  endPeriod: Type.Optional(Type.String({ pattern: PERIOD, description: 'Last period; a year covers its semesters, quarters and months.', examples: ['2025'] })),
  updatedAfter: Type.Optional(Type.String({ format: 'date-time', description: 'Only figures served since after this instant (new, revised, disputed or resolved).' })),
  dimensionAtObservation: Type.Optional(
    Type.String({ pattern: '^[A-Za-z_]{1,64}$', description: '`TIME_PERIOD` (default: one series per key, its periods as observations), another dimension id, or `AllDimensions` (a flat list).' }),
  ),
  detail: Type.Optional(
    Type.Enum(['full', 'dataonly', 'serieskeysonly', 'nodata'], {
      description: '`full` (default): values and attributes; `dataonly`: values only; `serieskeysonly` and `nodata`: the series keys (every attribute is at observation level).',
    }),
  ),
  asOf: Type.Optional(Type.String({ format: 'date-time', description: 'Not SDMX: the figures as served at this instant, as for /v1/figures.' })),
  format: Type.Optional(Type.Enum(['xml', 'csv', 'json'], { description: 'Instead of Accept: `xml` structure-specific data, `csv` SDMX-CSV, `json` SDMX-JSON.' })),
});

export const DataResponse = {
  description: 'The observations, in the format Accept (or `format`) asks for: SDMX-ML 2.1 structure-specific data (default; sent as `application/vnd.sdmx.structurespecificdata+xml;version=2.1`), SDMX-CSV 1.0 (`application/vnd.sdmx.data+csv;version=1.0.0`) or SDMX-JSON 1.0 (`application/vnd.sdmx.data+json;version=1.0.0`).',
  content: {
    [bare(DATA_TYPES.xml)]: {
      schema: Type.String({
        examples: [
          '<?xml version="1.0" encoding="UTF-8"?><mes:StructureSpecificData …><mes:Header>…</mes:Header><mes:DataSet ss:structureRef="SATUDATA_PPKS-06_1_0" ss:dataScope="Dataflow" xsi:type="ns1:DataSetType"><Series REF_AREA="6571"><Obs TIME_PERIOD="2025" OBS_VALUE="141" OBS_STATUS="A" FIGURE_STATUS="final" UNIT_MEASURE="orang" METHOD="priority" SOURCE_AGENCY="DP3AP2KB-6571" SOURCE_VERSION="2"/></Series></mes:DataSet></mes:StructureSpecificData>',
        ],
      }),
    },
    [bare(DATA_TYPES.csv)]: {
      schema: Type.String({
        examples: ['DATAFLOW,REF_AREA,TIME_PERIOD,OBS_VALUE,OBS_STATUS,FIGURE_STATUS,UNIT_MEASURE,METHOD,SOURCE_AGENCY,SOURCE_VERSION,CONFLICT_ID\nSATUDATA:PPKS-06(1.0),6571,2025,141,A,final,orang,priority,DP3AP2KB-6571,2,12\n'],
      }),
    },
    [bare(DATA_TYPES.json)]: {
      schema: Type.Object(
        { header: Type.Object({}, { additionalProperties: true }), dataSets: Type.Array(Type.Object({}, { additionalProperties: true })), structure: Type.Object({}, { additionalProperties: true }) },
        { description: 'SDMX-JSON 1.0 data message.' },
      ),
    },
  },
};

export const SchemaResponse = { description: 'An XML schema (sent as `application/vnd.sdmx.schema+xml;version=2.1`).', content: {
    [bare(SCHEMA_TYPE)]: {
      schema: Type.String({
        examples: [
          '<?xml version="1.0" encoding="UTF-8"?><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=SATUDATA:PPKS-06(1.0):ObsLevelDim:TIME_PERIOD" …><xs:import namespace="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific" schemaLocation="SDMXDataStructureSpecific.xsd"/>…<xs:complexType name="SeriesType"><xs:complexContent><xs:restriction base="dsd:SeriesType">…<xs:attribute name="REF_AREA" type="SATUDATA.CL_AREA.1.0" use="required"/>…</xs:schema>',
        ],
      }),
    },
  },
};

export const SchemaParams = Type.Object({
  agencyID: StructureParams.properties.agencyID,
  resourceID: Type.String({ pattern: ID, description: 'The dataflow (an indicator code).', examples: ['PPKS-06'] }),
  version: StructureParams.properties.version,
});

export const SchemaQuery = Type.Object({
  dimensionAtObservation: DataQuery.properties.dimensionAtObservation,
});
