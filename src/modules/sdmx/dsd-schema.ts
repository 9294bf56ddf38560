import { ALL_DIMENSIONS, dataNamespace } from './data-message.js';
import { AGENCY, PRIMARY_MEASURE, TIME_DIMENSION, VERSION, type Component, type DataStructure } from './model.js';
import { escapeXml, NS } from './xml.js';

const XS = 'http://www.w3.org/2001/XMLSchema';

/**
 * The structure-specific schema of a dataflow for one observation dimension, as the SDMX 2.1
 * guidelines derive it from the data structure: SDMXDataStructureSpecific.xsd only defines
 * abstract DataSet, Series and Obs types, so a structure-specific message validates against
 * the types derived here (series and observations with their dimensions and attributes as XML
 * attributes, coded ones restricted to their codelists). The official schemas are imported
 * from the same directory, as the SDMX schema distribution expects.
 */
export function dsdSchema(flow: string, dsd: DataStructure, dimensionAtObservation: string, codes: ReadonlyMap<string, readonly string[]>): string {
  const ns = dataNamespace(flow, dimensionAtObservation);
  const typeOf = (c: Component) => (c.codelist ? `${AGENCY}.${c.codelist}.${VERSION}` : c.textType === 'Integer' ? 'xs:integer' : 'xs:string');
  const dims: Component[] = [...dsd.dimensions, { id: TIME_DIMENSION, textType: 'ObservationalTimePeriod' }];
  const dimType = (c: Component) => (c.id === TIME_DIMENSION ? 'common:ObservationalTimePeriodType' : typeOf(c));
  const attribute = (name: string, type: string, use: 'required' | 'optional') => `<xs:attribute name="${name}" type="${type}" use="${use}"/>`;
  const prohibit = (name: string) => `<xs:attribute name="${name}" use="prohibited"/>`;
  const flat = dimensionAtObservation === ALL_DIMENSIONS;
  const obsDims = flat ? dims : dims.filter((d) => d.id === dimensionAtObservation);
  const seriesDims = flat ? [] : dims.filter((d) => d.id !== dimensionAtObservation);
  const restricted = (name: string, base: string, content: string, attributes: string) =>
    `<xs:complexType name="${name}"><xs:complexContent><xs:restriction base="${base}"><xs:sequence><xs:element ref="common:Annotations" minOccurs="0"/>${content}</xs:sequence>${attributes}</xs:restriction></xs:complexContent></xs:complexType>`;

  const codelists = [...new Set([...dims, ...dsd.attributes].flatMap((c) => (c.codelist ? [c.codelist] : [])))];
  const simpleTypes = codelists.map(
    (id) =>
      `<xs:simpleType name="${AGENCY}.${id}.${VERSION}"><xs:restriction base="common:IDType">${(codes.get(id) ?? [])
        .map((v) => `<xs:enumeration value="${escapeXml(v)}"/>`)
        .join('')}</xs:restriction></xs:simpleType>`,
  );
  const dataSet = restricted(
    'DataSetType',
    'dsd:DataSetType',
    `<xs:element name="DataProvider" type="common:DataProviderReferenceType" form="unqualified" minOccurs="0"/><xs:choice minOccurs="0"><xs:element name="${flat ? 'Obs' : 'Series'}" type="${flat ? 'ObsType' : 'SeriesType'}" form="unqualified" maxOccurs="unbounded"/></xs:choice>`,
    prohibit('REPORTING_YEAR_START_DAY'),
  );
  const series = flat
    ? ''
    : restricted(
        'SeriesType',
        'dsd:SeriesType',
        '<xs:element name="Obs" type="ObsType" form="unqualified" minOccurs="0" maxOccurs="unbounded"/>',
        seriesDims.map((d) => attribute(d.id, dimType(d), 'required')).join('') + (seriesDims.some((d) => d.id === TIME_DIMENSION) ? '' : prohibit(TIME_DIMENSION)) + prohibit('REPORTING_YEAR_START_DAY'),
      );
  const obs = restricted(
    'ObsType',
    'dsd:ObsType',
    '',
    obsDims.map((d) => attribute(d.id, dimType(d), 'required')).join('') +
      (obsDims.some((d) => d.id === TIME_DIMENSION) ? '' : prohibit(TIME_DIMENSION)) +
      attribute(PRIMARY_MEASURE, 'xs:decimal', 'optional') +
      dsd.attributes.map((a) => attribute(a.id, typeOf(a), 'optional')).join('') +
      prohibit('REPORTING_YEAR_START_DAY'),
  );
  return (
    `<?xml version="1.0" encoding="UTF-8"?><xs:schema xmlns:xs="${XS}" xmlns="${escapeXml(ns)}" xmlns:dsd="${NS.structurespecific}" xmlns:common="${NS.common}" targetNamespace="${escapeXml(ns)}" elementFormDefault="qualified" attributeFormDefault="unqualified">` +
    `<xs:import namespace="${NS.structurespecific}" schemaLocation="SDMXDataStructureSpecific.xsd"/><xs:import namespace="${NS.common}" schemaLocation="SDMXCommon.xsd"/>` +
    simpleTypes.join('') +
    dataSet +
    series +
    obs +
    '</xs:schema>'
  );
}
