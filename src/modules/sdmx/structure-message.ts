import { AGENCY, CONCEPT_SCHEME, PRIMARY_MEASURE, TIME_DIMENSION, VERSION, type Code, type Codelist, type Component, type Concept, type Dataflow, type DataStructure, type Text } from './model.js';
import { attrs, element, escapeXml, header, NS, type MessageHeader } from './xml.js';

/** What a structure query answers with; each part may be empty. */
export interface Structures {
  dataflows: Dataflow[];
  codelists: Codelist[];
  concepts: Concept[] | null;
  dataStructures: DataStructure[];
}

export const urn = {
  dataflow: (id: string) => `urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=${AGENCY}:${id}(${VERSION})`,
  dataStructure: (id: string) => `urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=${AGENCY}:${id}(${VERSION})`,
  codelist: (id: string) => `urn:sdmx:org.sdmx.infomodel.codelist.Codelist=${AGENCY}:${id}(${VERSION})`,
  conceptScheme: (id: string) => `urn:sdmx:org.sdmx.infomodel.conceptscheme.ConceptScheme=${AGENCY}:${id}(${VERSION})`,
};

function names(name: Text, description?: Text): string {
  const text = (tag: string, t: Text) => `<com:${tag} xml:lang="id">${escapeXml(t.id)}</com:${tag}><com:${tag} xml:lang="en">${escapeXml(t.en)}</com:${tag}>`;
  return text('Name', name) + (description ? text('Description', description) : '');
}

function annotations(values: Record<string, string> | undefined): string {
  if (!values || Object.keys(values).length === 0) return '';
  const items = Object.entries(values).map(
    ([type, title]) => `<com:Annotation><com:AnnotationTitle>${escapeXml(title)}</com:AnnotationTitle><com:AnnotationType>${escapeXml(type)}</com:AnnotationType></com:Annotation>`,
  );
  return `<com:Annotations>${items.join('')}</com:Annotations>`;
}

function maintainable(id: string, urnOf: string): Record<string, string> {
  return { id, urn: urnOf, agencyID: AGENCY, version: VERSION, isFinal: 'true' };
}

function code(c: Code): string {
  return element('str:Code', { id: c.id }, annotations(c.annotations) + names(c.name, c.description) + (c.parent ? `<str:Parent>${element('Ref', { id: c.parent })}</str:Parent>` : ''));
}

async function* codelistChunks(list: Codelist): AsyncGenerator<string> {
  yield `<str:Codelist${attrs(maintainable(list.id, urn.codelist(list.id)))}>${names(list.name, list.description)}`;
  if (Array.isArray(list.codes)) yield list.codes.map(code).join('');
  else for await (const batch of list.codes) yield batch.map(code).join('');
  yield '</str:Codelist>';
}

function dataflow(flow: Dataflow): string {
  const ref = element('Ref', { id: flow.structure, agencyID: AGENCY, version: VERSION, package: 'datastructure', class: 'DataStructure' });
  return element('str:Dataflow', maintainable(flow.id, urn.dataflow(flow.id)), annotations(flow.annotations) + names(flow.name, flow.description) + `<str:Structure>${ref}</str:Structure>`);
}

function conceptIdentity(id: string): string {
  return `<str:ConceptIdentity>${element('Ref', { id, maintainableParentID: CONCEPT_SCHEME, maintainableParentVersion: VERSION, agencyID: AGENCY, package: 'conceptscheme', class: 'Concept' })}</str:ConceptIdentity>`;
}

function representation(c: Component): string {
  const inner = c.codelist
    ? `<str:Enumeration>${element('Ref', { id: c.codelist, agencyID: AGENCY, version: VERSION, package: 'codelist', class: 'Codelist' })}</str:Enumeration>`
    : element('str:TextFormat', { textType: c.textType ?? 'String' });
  return `<str:LocalRepresentation>${inner}</str:LocalRepresentation>`;
}

function dataStructure(dsd: DataStructure): string {
  const dimensions = dsd.dimensions.map((d, i) => element('str:Dimension', { id: d.id, position: i + 1 }, conceptIdentity(d.id) + representation(d))).join('');
  const time = element(
    'str:TimeDimension',
    { id: TIME_DIMENSION, position: dsd.dimensions.length + 1 },
    conceptIdentity(TIME_DIMENSION) + representation({ id: TIME_DIMENSION, textType: 'ObservationalTimePeriod' }),
  );
  // Every attribute describes one figure (its status and provenance): attached to the observation.
  const attributes = dsd.attributes
    .map((a) =>
      element(
        'str:Attribute',
        { id: a.id, assignmentStatus: 'Conditional' },
        conceptIdentity(a.id) + representation(a) + `<str:AttributeRelationship><str:PrimaryMeasure><Ref id="${PRIMARY_MEASURE}"/></str:PrimaryMeasure></str:AttributeRelationship>`,
      ),
    )
    .join('');
  const measure = element('str:PrimaryMeasure', { id: PRIMARY_MEASURE }, conceptIdentity(PRIMARY_MEASURE) + representation({ id: PRIMARY_MEASURE, textType: 'Decimal' }));
  return element(
    'str:DataStructure',
    maintainable(dsd.id, urn.dataStructure(dsd.id)),
    names(dsd.name) +
      '<str:DataStructureComponents>' +
      `<str:DimensionList id="DimensionDescriptor">${dimensions}${time}</str:DimensionList>` +
      `<str:AttributeList id="AttributeDescriptor">${attributes}</str:AttributeList>` +
      `<str:MeasureList id="MeasureDescriptor">${measure}</str:MeasureList>` +
      '</str:DataStructureComponents>',
  );
}

function conceptScheme(concepts: Concept[]): string {
  const items = concepts.map((c) => element('str:Concept', { id: c.id }, names(c.name))).join('');
  return element('str:ConceptScheme', maintainable(CONCEPT_SCHEME, urn.conceptScheme(CONCEPT_SCHEME)), names({ id: 'Konsep Satu Data', en: 'Satu Data concepts' }) + items);
}

/**
 * An SDMX-ML 2.1 structure message, in pieces: the region codelist alone is ~20 MB, so it is
 * written as its batches arrive rather than built whole.
 */
export async function* structureMessage(h: MessageHeader, s: Structures): AsyncGenerator<string> {
  yield `<?xml version="1.0" encoding="UTF-8"?><mes:Structure xmlns:mes="${NS.message}" xmlns:str="${NS.structure}" xmlns:com="${NS.common}">`;
  yield header(h);
  yield '<mes:Structures>';
  if (s.dataflows.length) yield `<str:Dataflows>${s.dataflows.map(dataflow).join('')}</str:Dataflows>`;
  if (s.codelists.length) {
    yield '<str:Codelists>';
    for (const list of s.codelists) yield* codelistChunks(list);
    yield '</str:Codelists>';
  }
  if (s.concepts) yield `<str:Concepts>${conceptScheme(s.concepts)}</str:Concepts>`;
  if (s.dataStructures.length) yield `<str:DataStructures>${s.dataStructures.map(dataStructure).join('')}</str:DataStructures>`;
  yield '</mes:Structures></mes:Structure>';
}
