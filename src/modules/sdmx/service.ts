import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/app-error.js';
import { findCodelist, listCodes } from '../codelists/repository.js';
import { presentFigure } from '../figures/present.js';
import { figuresState, listFigures, type FigureCursor, type FigureFilter } from '../figures/repository.js';
import type { Candidate } from '../reconciliation/policy.js';
import { obsStatus, observationOf, type Observation } from './data-message.js';
import {
  AGENCY,
  BREAKDOWNS,
  codeId,
  compactRegion,
  CONCEPTS,
  dataflowOf,
  dataStructureOf,
  FIGURE_STATUS_CODES,
  kemendagriRegion,
  METHOD_CODES,
  parseKey,
  SERVICE_CODELISTS,
  TOTAL,
  VERSION,
  type Code,
  type Codelist,
  type DataStructure,
  type IndicatorEntry,
  type References,
  type StructureResource,
} from './model.js';
import { listIndicatorEntries, regionBatches } from './repository.js';
import type { Structures } from './structure-message.js';

const OWN_CODELISTS = ['CL_AREA', ...Object.keys(SERVICE_CODELISTS), 'CL_METHOD', 'CL_FIGURE_STATUS', 'CL_INDICATOR'];

function regionCodelist(db: Kysely<DB>): Codelist {
  async function* codes(): AsyncGenerator<Code[]> {
    for await (const batch of regionBatches(db))
      yield batch.map((r) => ({
        id: compactRegion(r.code),
        name: { id: r.name, en: r.name },
        parent: r.parent_code ? compactRegion(r.parent_code) : undefined,
        annotations: { KEMENDAGRI_CODE: r.code },
      }));
  }
  return {
    id: 'CL_AREA',
    name: { id: 'Wilayah administrasi Kemendagri', en: 'Kemendagri administrative areas' },
    description: {
      id: 'Kode wilayah Kemendagri tanpa titik (33.73 → 3373; lebar bagian 2, 2, 2, 4 digit); kode aslinya di anotasi KEMENDAGRI_CODE, induknya di Parent.',
      en: 'Kemendagri region codes without their dots (33.73 → 3373; parts 2, 2, 2 and 4 digits wide); the original code is in the KEMENDAGRI_CODE annotation, the parent in Parent.',
    },
    codes: codes(),
  };
}

/** One of the service's codelists in SDMX form; breakdown lists get `_T`, the total. */
async function serviceCodelist(db: Kysely<DB>, id: string, source: string): Promise<Codelist> {
  const [list, rows] = await Promise.all([findCodelist(db, source), listCodes(db, source)]);
  const codes: Code[] = rows.map((r) => {
    const sdmx = (r.attributes as { sdmx?: unknown }).sdmx;
    const annotations: Record<string, string> = {};
    if (codeId(r.code) !== r.code) annotations.SATUDATA_CODE = r.code;
    if (typeof sdmx === 'string') annotations.SDMX_CODE = sdmx;
    return { id: codeId(r.code), name: { id: r.label_id, en: r.label_en }, annotations };
  });
  if (BREAKDOWNS.some((b) => b.codelist === id)) codes.push({ id: TOTAL, name: { id: 'Total', en: 'Total' } });
  return {
    id,
    name: { id: list?.title_id ?? id, en: list?.title_en ?? id },
    ...(list ? { description: { id: list.description_id, en: list.description_en } } : {}),
    codes,
  };
}

function indicatorCodelist(indicators: readonly IndicatorEntry[]): Codelist {
  return {
    id: 'CL_INDICATOR',
    name: { id: 'Indikator', en: 'Indicators' },
    codes: indicators.map((i) => ({
      id: i.code,
      name: { id: i.name, en: i.name_en },
      ...(i.definition ? { description: { id: i.definition, en: i.definition } } : {}),
      annotations: { UNIT: i.unit },
    })),
  };
}

async function codelist(db: Kysely<DB>, id: string, indicators: () => Promise<IndicatorEntry[]>): Promise<Codelist | undefined> {
  if (id === 'CL_AREA') return regionCodelist(db);
  if (id in SERVICE_CODELISTS) return serviceCodelist(db, id, SERVICE_CODELISTS[id]!);
  if (id === 'CL_METHOD') return { id, name: { id: 'Metode rekonsiliasi', en: 'Reconciliation methods' }, codes: METHOD_CODES };
  if (id === 'CL_FIGURE_STATUS') return { id, name: { id: 'Status angka', en: 'Figure status' }, codes: FIGURE_STATUS_CODES };
  if (id === 'CL_INDICATOR') return indicatorCodelist(await indicators());
  return undefined;
}

/** The codelists a set of structures uses, in the order of OWN_CODELISTS. */
function codelistsOf(dsds: readonly DataStructure[]): string[] {
  const used = new Set(dsds.flatMap((d) => [...d.dimensions, ...d.attributes].flatMap((c) => (c.codelist ? [c.codelist] : []))));
  return OWN_CODELISTS.filter((id) => used.has(id));
}

export interface StructureQuery {
  resource: StructureResource;
  agency: string;
  id: string;
  version: string;
  references: References;
}

/**
 * The structures a structure query asks for, with what `references` adds: a dataflow's
 * children are its data structure, whose children are its codelists and concept scheme;
 * parents go the other way. Undefined when nothing matches (404 NoResultsFound).
 */
export async function findStructures(db: Kysely<DB>, q: StructureQuery): Promise<Structures | undefined> {
  if ((q.agency !== 'all' && q.agency !== AGENCY) || !['all', 'latest', VERSION].includes(q.version)) return undefined;
  const matches = (id: string) => q.id === 'all' || q.id === id;
  let catalogue: Promise<IndicatorEntry[]> | undefined;
  const indicators = () => (catalogue ??= listIndicatorEntries(db));
  const out: Structures = { dataflows: [], codelists: [], concepts: null, dataStructures: [] };
  const down = q.references === 'children' || q.references === 'descendants' || q.references === 'all';
  const up = q.references === 'parents' || q.references === 'all';
  let dsds: DataStructure[] = [];

  if (q.resource === 'dataflow' || q.resource === 'datastructure') {
    const all = await indicators();
    const chosen = all.filter((i) => matches(q.resource === 'dataflow' ? i.code : dataStructureOf(i).id));
    if (chosen.length === 0) return undefined;
    dsds = chosen.map(dataStructureOf);
    if (q.resource === 'dataflow') {
      out.dataflows = chosen.map(dataflowOf);
      if (down) out.dataStructures = dsds;
    } else {
      out.dataStructures = dsds;
      if (up) out.dataflows = chosen.map(dataflowOf);
    }
    const withComponents = q.resource === 'datastructure' ? down : q.references === 'descendants' || q.references === 'all';
    if (withComponents) {
      out.concepts = [...CONCEPTS];
      for (const id of codelistsOf(dsds)) out.codelists.push((await codelist(db, id, indicators))!);
    }
    return out;
  }

  if (q.resource === 'codelist') {
    for (const id of OWN_CODELISTS.filter(matches)) out.codelists.push((await codelist(db, id, indicators))!);
    if (out.codelists.length === 0) return undefined;
    if (up) {
      const ids = new Set(out.codelists.map((c) => c.id));
      out.dataStructures = (await indicators()).map(dataStructureOf).filter((d) => codelistsOf([d]).some((c) => ids.has(c)));
    }
    return out;
  }

  if (!matches('CS_SATUDATA')) return undefined;
  out.concepts = [...CONCEPTS];
  if (up) out.dataStructures = (await indicators()).map(dataStructureOf);
  return out;
}

/** A dataflow, its data structure and the code ids of each codelist it uses (for the structure-specific schema). */
export async function flowWithCodes(db: Kysely<DB>, flow: string) {
  const { indicator, dsd } = await flowStructure(db, flow);
  const codes = new Map<string, string[]>();
  for (const id of codelistsOf([dsd])) {
    const list = (await codelist(db, id, async () => [indicator]))!;
    const ids: string[] = [];
    if (Array.isArray(list.codes)) ids.push(...list.codes.map((c) => c.id));
    else for await (const batch of list.codes) ids.push(...batch.map((c) => c.id));
    codes.set(id, ids);
  }
  return { indicator, dsd, codes };
}

async function flowStructure(db: Kysely<DB>, flow: string) {
  const [indicator] = await listIndicatorEntries(db, flow);
  if (!indicator) throw new AppError('SDMX_NO_RESULTS', { what: `dataflow ${AGENCY}:${flow}(${VERSION}) does not exist` });
  return { indicator, dsd: dataStructureOf(indicator) };
}

export interface DataQuery {
  flow: string;
  key: string;
  startPeriod?: string | undefined;
  endPeriod?: string | undefined;
  updatedAfter?: string | undefined;
  asOf?: string | undefined;
  hideClosed: boolean;
}

/** Observations one response may carry: beyond it the query is refused (413), never truncated. */
export const MAX_OBSERVATIONS = 50_000;
const PAGE = 5000;

/**
 * The observations of a data query: the pull API's figures (the same repository, so the
 * same rules: consumers never see a value from a `tertutup` dataset, disputed keys carry no
 * value, `asOf` gives what was served then), selected by the series key.
 */
export async function findObservations(db: Kysely<DB>, q: DataQuery): Promise<{ indicator: IndicatorEntry; dsd: DataStructure; observations: Observation[] }> {
  const { indicator, dsd } = await flowStructure(db, q.flow);
  const parts = parseKey(q.key, dsd.dimensions);
  if (!parts) throw new AppError('SDMX_INVALID_KEY', { key: q.key, dimensions: dsd.dimensions.map((d) => d.id).join('.') });
  const filter: FigureFilter = {
    indicators: [indicator.code],
    periodFrom: q.startPeriod,
    periodTo: q.endPeriod,
    asOf: q.asOf,
    changedAfter: q.updatedAfter,
    hideClosed: q.hideClosed,
  };
  if (parts[0]) filter.regions = parts[0].flatMap((c) => kemendagriRegion(c) ?? []);
  const disaggIn: Record<string, string[]> = {};
  for (const [i, dimension] of dsd.dimensions.slice(1).entries()) {
    const wanted = parts[i + 1];
    if (!wanted) continue;
    const breakdown = BREAKDOWNS.find((b) => b.id === dimension.id)!;
    const original = new Map((await listCodes(db, breakdown.source)).map((c) => [codeId(c.code), c.code]));
    disaggIn[breakdown.field] = wanted.map((c) => (c === TOTAL ? '' : (original.get(c) ?? c)));
  }
  filter.disaggIn = disaggIn;

  const observations: Observation[] = [];
  let after: FigureCursor | undefined;
  for (;;) {
    const rows = await listFigures(db, { ...filter, after, limit: PAGE });
    const served = rows.slice(0, PAGE);
    for (const row of served) {
      const figure = presentFigure(row);
      observations.push(observationOf({ ...figure, obs_status: obsStatus(figure, row.candidates as Candidate[]) }, dsd));
    }
    if (observations.length > MAX_OBSERVATIONS) throw new AppError('SDMX_RESPONSE_TOO_LARGE', { limit: MAX_OBSERVATIONS });
    if (rows.length <= PAGE) break;
    const last = served[served.length - 1]!;
    after = [last.indicator_code, last.period, last.region_code, last.disagg_key];
  }
  if (observations.length === 0) throw new AppError('SDMX_NO_RESULTS', { what: `no figures of ${q.flow} match key ${q.key}` });
  return { indicator, dsd, observations };
}

/** The state of the figures and their labels, to file answers under while change notifications are not heard. */
export function dataState(db: Kysely<DB>): Promise<string> {
  return figuresState(db);
}
