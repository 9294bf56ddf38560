import { stringify } from 'csv-stringify/sync';
import { AGENCY, BREAKDOWNS, compactRegion, codeId, PRIMARY_MEASURE, TIME_DIMENSION, TOTAL, VERSION, type DataStructure } from './model.js';
import { attrs, element, header, NS, type MessageHeader } from './xml.js';

/** A reconciled figure as the SDMX messages need it (the fields of the pull API's figure). */
export interface FigureInput {
  region: string;
  region_name: string;
  period: string;
  disaggregation: Record<string, string | undefined>;
  status: 'final' | 'disputed';
  value: string | null;
  unit: string;
  method: string | null;
  source: { agency: string; version: number } | null;
  conflict_id: string | null;
  /** SDMX OBS_STATUS, chosen by obsStatus(). */
  obs_status: string;
}

/** An observation: its full key (every dimension, time included), its value and attributes. */
export interface Observation {
  key: Record<string, string>;
  value: string | null;
  attributes: Record<string, string>;
  /** Labels of key codes, for SDMX-JSON (the region's name). */
  labels: Record<string, string>;
}

export type Detail = 'full' | 'dataonly' | 'serieskeysonly' | 'nodata';
export const ALL_DIMENSIONS = 'AllDimensions';

export interface DataQueryShape {
  flow: string;
  dsd: DataStructure;
  /** A dimension id, or AllDimensions for a flat list of observations. */
  dimensionAtObservation: string;
  detail: Detail;
}

/**
 * OBS_STATUS of a figure, as the SDMX code list means it. A figure chosen from one agency's
 * value carries that value's status as the agency reported it; a median of several values is
 * an estimate (E); a walidata's own value is normal (A). A disputed key has no value: `O`
 * (missing value), with FIGURE_STATUS `disputed` saying why.
 */
export function obsStatus(
  figure: { status: string; method: string | null; source: { agency: string; version: number } | null },
  candidates: readonly { agency: string; version: number; obs_status: string }[],
): string {
  if (figure.status === 'disputed') return 'O';
  const source = figure.source && candidates.find((c) => c.agency === figure.source!.agency && c.version === figure.source!.version);
  if (source) return source.obs_status;
  return figure.method === 'median' ? 'E' : 'A';
}

export function observationOf(f: FigureInput, dsd: DataStructure): Observation {
  const key: Record<string, string> = { REF_AREA: compactRegion(f.region) };
  for (const d of dsd.dimensions.slice(1)) {
    const breakdown = BREAKDOWNS.find((b) => b.id === d.id)!;
    const code = f.disaggregation[breakdown.field];
    key[d.id] = code === undefined ? TOTAL : codeId(code);
  }
  key[TIME_DIMENSION] = f.period;
  const attributes: Record<string, string> = { OBS_STATUS: f.obs_status, FIGURE_STATUS: f.status, UNIT_MEASURE: codeId(f.unit) };
  if (f.method) attributes.METHOD = f.method;
  if (f.source) {
    attributes.SOURCE_AGENCY = f.source.agency;
    attributes.SOURCE_VERSION = String(f.source.version);
  }
  if (f.conflict_id) attributes.CONFLICT_ID = f.conflict_id;
  const ranking = f.disaggregation.desil_ranking_date;
  if (ranking && dsd.attributes.some((a) => a.id === 'DESIL_RANKING_DATE')) attributes.DESIL_RANKING_DATE = ranking;
  return { key, value: f.value, attributes, labels: { REF_AREA: f.region_name } };
}

/** Dimension ids in key order, time last. */
function dimensionIds(dsd: DataStructure): string[] {
  return [...dsd.dimensions.map((d) => d.id), TIME_DIMENSION];
}

interface Series {
  key: Record<string, string>;
  observations: Observation[];
}

/** Observations grouped into series: the key without the observation dimension, in the order first met. */
export function seriesOf(observations: readonly Observation[], seriesDimensions: readonly string[]): Series[] {
  const byKey = new Map<string, Series>();
  for (const o of observations) {
    const key = Object.fromEntries(seriesDimensions.map((d) => [d, o.key[d]!]));
    const id = seriesDimensions.map((d) => o.key[d]).join('\u0000');
    let series = byKey.get(id);
    if (!series) byKey.set(id, (series = { key, observations: [] }));
    series.observations.push(o);
  }
  return [...byKey.values()];
}

export function dataNamespace(flow: string, dimensionAtObservation: string): string {
  return `urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=${AGENCY}:${flow}(${VERSION}):ObsLevelDim:${dimensionAtObservation}`;
}

const structureId = (flow: string) => `${AGENCY}_${flow}_${VERSION.replace('.', '_')}`;

function obsAttributes(o: Observation, detail: Detail, obsDims: readonly string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = Object.fromEntries(obsDims.map((d) => [d, o.key[d]]));
  if (detail === 'serieskeysonly' || detail === 'nodata') return out;
  out[PRIMARY_MEASURE] = o.value ?? undefined;
  if (detail === 'full') Object.assign(out, o.attributes);
  return out;
}

/**
 * An SDMX-ML 2.1 structure-specific data message. Observations are grouped into series by
 * every dimension but the observation dimension; with AllDimensions they stand alone.
 * `serieskeysonly` and `nodata` leave the observations out (every attribute of this service
 * is attached to the observation, so both give the series keys).
 */
export function structureSpecificMessage(h: MessageHeader, q: DataQueryShape, observations: readonly Observation[]): string {
  const ns = dataNamespace(q.flow, q.dimensionAtObservation);
  const id = structureId(q.flow);
  const structure =
    `<mes:Structure${attrs({ structureID: id, namespace: ns, dimensionAtObservation: q.dimensionAtObservation })}>` +
    `<com:StructureUsage>${element('Ref', { agencyID: AGENCY, id: q.flow, version: VERSION })}</com:StructureUsage></mes:Structure>`;
  const parts: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?><mes:StructureSpecificData xmlns:mes="${NS.message}" xmlns:ss="${NS.structurespecific}" xmlns:com="${NS.common}" xmlns:xsi="${NS.xsi}" xmlns:ns1="${ns}">`,
    header(h, structure),
    `<mes:DataSet ss:structureRef="${id}" ss:dataScope="Dataflow" xsi:type="ns1:DataSetType">`,
  ];
  const dims = dimensionIds(q.dsd);
  const noObservations = q.detail === 'serieskeysonly' || q.detail === 'nodata';
  if (q.dimensionAtObservation === ALL_DIMENSIONS) {
    for (const o of observations) parts.push(element('Obs', obsAttributes(o, q.detail, dims)));
  } else {
    const seriesDims = dims.filter((d) => d !== q.dimensionAtObservation);
    for (const s of seriesOf(observations, seriesDims)) {
      const obs = noObservations ? '' : s.observations.map((o) => element('Obs', obsAttributes(o, q.detail, [q.dimensionAtObservation]))).join('');
      parts.push(element('Series', s.key, obs));
    }
  }
  parts.push('</mes:DataSet></mes:StructureSpecificData>');
  return parts.join('');
}

/** SDMX-CSV 1.0: one row per observation, the dataflow first, then the key, value and attributes. */
export function sdmxCsv(q: DataQueryShape, observations: readonly Observation[]): string {
  const dims = dimensionIds(q.dsd);
  const keysOnly = q.detail === 'serieskeysonly' || q.detail === 'nodata';
  const keyDims = keysOnly ? dims.filter((d) => d !== TIME_DIMENSION) : dims;
  const attributes = q.detail === 'full' ? q.dsd.attributes.map((a) => a.id) : [];
  const columns = ['DATAFLOW', ...keyDims, ...(keysOnly ? [] : [PRIMARY_MEASURE]), ...attributes];
  const flow = `${AGENCY}:${q.flow}(${VERSION})`;
  const rows = keysOnly ? seriesOf(observations, keyDims).map((s) => ({ key: s.key, value: null, attributes: {} as Record<string, string> })) : observations;
  return stringify(
    rows.map((o) => [flow, ...keyDims.map((d) => o.key[d]), ...(keysOnly ? [] : [o.value ?? '']), ...attributes.map((a) => o.attributes[a] ?? '')]),
    { header: true, columns },
  );
}

interface JsonComponent {
  id: string;
  name: string;
  keyPosition?: number;
  role?: string;
  values: { id: string; name: string }[];
}

/** Distinct values of one component in the order first met, with each value's index. */
function valueIndex(id: string, name: string, pick: (o: Observation) => string | undefined, observations: readonly Observation[], label?: (o: Observation) => string | undefined) {
  const index = new Map<string, number>();
  const component: JsonComponent = { id, name, values: [] };
  for (const o of observations) {
    const v = pick(o);
    if (v === undefined || index.has(v)) continue;
    index.set(v, component.values.length);
    component.values.push({ id: v, name: label?.(o) ?? v });
  }
  return { component, index };
}

/**
 * SDMX-JSON 1.0 data message: series keyed by the positions of their dimension values
 * (`"0:3"`), observations by the position of the observation dimension's value, each an
 * array of the value and the indexes of its attribute values. With AllDimensions the data set
 * holds observations keyed by every dimension.
 */
export function sdmxJson(h: MessageHeader, q: DataQueryShape, observations: readonly Observation[], flowName: string, links: { dataflow: string }) {
  const dims = dimensionIds(q.dsd);
  const flat = q.dimensionAtObservation === ALL_DIMENSIONS;
  const obsDims = flat ? dims : [q.dimensionAtObservation];
  const seriesDims = flat ? [] : dims.filter((d) => d !== q.dimensionAtObservation);
  const dimension = (d: string) => valueIndex(d, d, (o) => o.key[d], observations, (o) => o.labels[d]);
  const indexes = new Map(dims.map((d) => [d, dimension(d)]));
  const positioned = (list: string[]) =>
    list.map((d) => ({ ...indexes.get(d)!.component, keyPosition: dims.indexOf(d), ...(d === TIME_DIMENSION ? { role: 'time' } : {}) }));
  const withAttributes = q.detail === 'full';
  const attributes = withAttributes ? q.dsd.attributes.map((a) => valueIndex(a.id, a.id, (o) => o.attributes[a.id], observations)) : [];
  const noObservations = q.detail === 'serieskeysonly' || q.detail === 'nodata';
  const obsArray = (o: Observation) => [o.value === null ? null : Number(o.value), ...attributes.map((a) => a.index.get(o.attributes[a.component.id]!) ?? null)];
  const position = (o: Observation, list: readonly string[]) => list.map((d) => indexes.get(d)!.index.get(o.key[d]!)).join(':');
  const dataSet: Record<string, unknown> = { action: 'Information' };
  if (flat) {
    dataSet.observations = noObservations ? {} : Object.fromEntries(observations.map((o) => [position(o, obsDims), obsArray(o)]));
  } else {
    dataSet.series = Object.fromEntries(
      seriesOf(observations, seriesDims).map((s) => [
        position(s.observations[0]!, seriesDims),
        { attributes: [], observations: noObservations ? {} : Object.fromEntries(s.observations.map((o) => [position(o, obsDims), obsArray(o)])) },
      ]),
    );
  }
  return {
    header: { id: h.id, test: false, prepared: h.prepared.toISOString(), sender: { id: AGENCY } },
    dataSets: [dataSet],
    structure: {
      links: [{ href: links.dataflow, rel: 'dataflow' }],
      name: flowName,
      dimensions: { dataSet: [], series: positioned(seriesDims), observation: positioned(obsDims) },
      attributes: { dataSet: [], series: [], observation: attributes.map((a) => a.component) },
    },
  };
}
