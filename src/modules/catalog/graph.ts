import type { IndicatorMetadata } from '../../domain/indicator-metadata.js';
import { iri, node, term, text, typed, type Resource, type Term } from './rdf.js';
import { accessRightsUri, coverage, FILE_TYPE, frequencyUri, LANGUAGE_INDONESIAN, MEDIA_TYPE, THEME_SOCIETY } from './vocabularies.js';

/** What the catalogue says of one dataset, read by the repository. */
export interface CatalogDataset {
  id: string;
  title: string;
  indicator_codes: string[];
  metadata: Record<string, unknown>;
  agency: { code: string; name: string; jurisdiction: string };
  created_at: Date;
  updated_at: Date;
  /** The newest published version, or null before the first publication. */
  published: { version: number; at: Date | null } | null;
  /** Periods of its published observations. */
  periods: string[];
  /** The regions its published observations cover, at the coarsest level they reach. */
  regions: { code: string; name: string }[];
}

export interface CatalogIndicator {
  code: string;
  name: string;
  name_en: string;
  unit: string;
  measure: string;
  metadata: IndicatorMetadata;
}

export interface CatalogPage {
  number: number;
  size: number;
  total: number;
  /** The IRI of page n, as a harvester should ask for it. */
  url(n: number): string;
}

export interface CatalogInput {
  baseUrl: string;
  publisherName: string;
  datasets: CatalogDataset[];
  indicators: ReadonlyMap<string, CatalogIndicator>;
  page: CatalogPage;
}

/** /v1/figures takes at most this many indicators per request. */
export const FIGURES_MAX_INDICATORS = 50;

const ID = 'id';
const EN = 'en';
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
const prop = (predicate: string, object: Term | undefined): [string, Term][] => (object === undefined ? [] : [[predicate, object]]);

export const catalogIri = (base: string) => `${base}/v1/catalog`;
const datasetIri = (base: string, id: string) => `${base}/v1/datasets/${id}`;
const agencyIri = (base: string, code: string) => `${base}/v1/agencies/${encodeURIComponent(code)}`;
const regionIri = (base: string, code: string) => `${base}/v1/regions/${code}`;
const indicatorIri = (base: string, code: string) => `${base}/v1/indicators/${encodeURIComponent(code)}`;
const indicatorSchemeIri = (base: string) => `${base}/v1/indicators`;
/** The SDMX dataflow of one indicator (one dataflow per indicator, agency SATUDATA, version 1.0). */
export const sdmxDataUrl = (base: string, indicator: string) => `${base}/sdmx/2.1/data/SATUDATA,${encodeURIComponent(indicator)},1.0`;

function figuresUrl(base: string, indicators: readonly string[], within: string, format?: 'csv'): string {
  const q = new URLSearchParams(indicators.map((code): [string, string] => ['indicator', code]));
  q.set('within', within);
  if (format) q.set('format', format);
  return `${base}/v1/figures?${q.toString()}`;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const TOKEN_NOTE =
  'Needs a bearer token of a consumer client (OAuth2 client credentials at /v1/auth/token). / Memerlukan token klien konsumen (OAuth2 client credentials di /v1/auth/token).';

function distributions(base: string, d: CatalogDataset, indicators: ReadonlyMap<string, CatalogIndicator>): Resource[] {
  const dataset = datasetIri(base, d.id);
  const within = d.agency.jurisdiction;
  const groups = chunks(d.indicator_codes, FIGURES_MAX_INDICATORS);
  const part = (i: number) => (groups.length > 1 ? ` (${i + 1}/${groups.length})` : '');
  const pull = (format: 'csv' | 'json'): Resource[] =>
    groups.map((codes, i) => {
      const url = figuresUrl(base, codes, within, format === 'csv' ? 'csv' : undefined);
      return {
        id: `${dataset}#${format}${groups.length > 1 ? `-${i + 1}` : ''}`,
        types: [term('dcat', 'Distribution')],
        props: [
          [term('dct', 'title'), text(`Angka terekonsiliasi (${format.toUpperCase()})${part(i)}`, ID)],
          [term('dct', 'title'), text(`Reconciled figures (${format.toUpperCase()})${part(i)}`, EN)],
          [
            term('dct', 'description'),
            text(`Reconciled figures of ${codes.join(', ')} for ${within} and every region inside it, from GET /v1/figures (keyset pages; the next page in ${format === 'csv' ? 'the Link header' : 'page.next_cursor'}). ${TOKEN_NOTE}`, EN),
          ],
          [term('dcat', 'accessURL'), iri(url)],
          [term('dcat', 'downloadURL'), iri(url)],
          [term('dct', 'format'), node({ id: FILE_TYPE[format], types: [term('dct', 'MediaTypeOrExtent')], props: [] })],
          [term('dcat', 'mediaType'), node({ id: MEDIA_TYPE[format], types: [term('dct', 'MediaType')], props: [] })],
        ],
      };
    });
  const sdmx: Resource[] = d.indicator_codes.map((code) => ({
    id: `${dataset}#sdmx-${encodeURIComponent(code)}`,
    types: [term('dcat', 'Distribution')],
    props: [
      [term('dct', 'title'), text(`SDMX ${code}: ${indicators.get(code)?.name ?? code}`, ID)],
      [term('dct', 'description'), text(`SDMX 2.1 data of the dataflow SATUDATA:${code}(1.0): SDMX-ML, SDMX-CSV or SDMX-JSON by Accept. ${TOKEN_NOTE}`, EN)],
      [term('dcat', 'accessURL'), iri(sdmxDataUrl(base, code))],
      [term('dcat', 'downloadURL'), iri(sdmxDataUrl(base, code))],
      [term('dct', 'format'), node({ id: FILE_TYPE.sdmx, types: [term('dct', 'MediaTypeOrExtent')], props: [] })],
    ],
  }));
  return [...pull('csv'), ...pull('json'), ...sdmx];
}

/** A steward reachable by e-mail or by phone: vCard wants either as a URI. */
function contactUri(contact: string): Term | undefined {
  if (/^[^\s@]+@[^\s@]+$/.test(contact)) return iri(`mailto:${contact}`);
  const digits = contact.replace(/[\s().-]/g, '');
  if (/^\+?\d{6,15}$/.test(digits)) return iri(`tel:${digits}`);
  return undefined;
}

function contactPoint(d: CatalogDataset): Resource | undefined {
  const name = str(d.metadata.steward_name);
  const contact = str(d.metadata.steward_contact);
  if (!name && !contact) return undefined;
  const uri = contact ? contactUri(contact) : undefined;
  const channel = uri && 'iri' in uri ? (uri.iri.startsWith('mailto:') ? 'hasEmail' : 'hasTelephone') : undefined;
  return {
    types: [term('vcard', 'Kind'), term('vcard', 'Individual')],
    props: [
      ...prop(term('vcard', 'fn'), name ? text(name) : undefined),
      ...prop(term('vcard', 'organization-name'), str(d.metadata.responsible_institution) ? text(str(d.metadata.responsible_institution)!) : undefined),
      ...(channel ? prop(term('vcard', channel), uri) : []),
      // A contact that is neither an address nor a number is still worth showing.
      ...(channel ? [] : prop(term('vcard', 'note'), contact ? text(contact) : undefined)),
    ],
  };
}

function indicatorConcept(base: string, ind: CatalogIndicator): Resource {
  const m = ind.metadata;
  return {
    id: indicatorIri(base, ind.code),
    types: [term('skos', 'Concept')],
    props: [
      [term('skos', 'prefLabel'), text(ind.name, ID)],
      ...prop(term('skos', 'prefLabel'), ind.name_en ? text(ind.name_en, EN) : undefined),
      [term('skos', 'notation'), text(ind.code)],
      [term('skos', 'inScheme'), iri(indicatorSchemeIri(base))],
      ...prop(term('skos', 'definition'), m.definisi ? text(m.definisi, ID) : undefined),
      ...prop(term('skos', 'scopeNote'), m.konsep ? text(`Konsep: ${m.konsep}`, ID) : undefined),
      ...prop(term('skos', 'note'), m.metode_perhitungan ? text(`Metode/rumus perhitungan: ${m.metode_perhitungan}`, ID) : undefined),
      ...prop(term('skos', 'note'), m.interpretasi ? text(`Interpretasi: ${m.interpretasi}`, ID) : undefined),
      [term('skos', 'note'), text(`Ukuran: ${ind.measure}; satuan: ${ind.unit}.`, ID)],
      ...prop(term('skos', 'note'), m.indikator_komposit && m.indikator_pembangun.length > 0 ? text(`Indikator komposit dari: ${m.indikator_pembangun.join(', ')}.`, ID) : undefined),
    ],
  };
}

function describe(d: CatalogDataset, indicators: ReadonlyMap<string, CatalogIndicator>): string {
  const own = str(d.metadata.description) ?? d.title;
  const lines = d.indicator_codes.map((code) => {
    const ind = indicators.get(code);
    return ind ? `- ${code} ${ind.name} (${ind.unit})${ind.metadata.definisi ? `: ${ind.metadata.definisi}` : ''}` : `- ${code}`;
  });
  return `${own}\n\nIndikator:\n${lines.join('\n')}`;
}

function dataset(base: string, d: CatalogDataset, indicators: ReadonlyMap<string, CatalogIndicator>): Resource {
  const m = d.metadata;
  const periods = [...(Array.isArray(m.reference_periods) ? m.reference_periods.filter((p): p is string => typeof p === 'string') : []), ...d.periods];
  const temporal = coverage(periods);
  const frequency = frequencyUri(m.update_schedule);
  const contact = contactPoint(d);
  const modified = [d.updated_at, d.published?.at].filter((t): t is Date => t instanceof Date).reduce((a, b) => (b > a ? b : a));
  // Where nothing is published yet, the agency's jurisdiction is where its figures will be.
  const regions = d.regions.length > 0 ? d.regions : [{ code: d.agency.jurisdiction, name: null }];
  return {
    id: datasetIri(base, d.id),
    types: [term('dcat', 'Dataset')],
    props: [
      [term('dct', 'identifier'), text(d.id)],
      [term('dct', 'title'), text(d.title, ID)],
      [term('dct', 'description'), text(describe(d, indicators), ID)],
      [term('dct', 'issued'), typed(d.created_at.toISOString(), 'dateTime')],
      [term('dct', 'modified'), typed(modified.toISOString(), 'dateTime')],
      [term('dct', 'language'), node({ id: LANGUAGE_INDONESIAN, types: [term('dct', 'LinguisticSystem')], props: [] })],
      [term('dct', 'publisher'), node({ id: agencyIri(base, d.agency.code), types: [term('foaf', 'Agent'), term('foaf', 'Organization')], props: [[term('foaf', 'name'), text(d.agency.name, ID)], [term('dct', 'identifier'), text(d.agency.code)]] })],
      ...prop(term('dcat', 'contactPoint'), contact ? node(contact) : undefined),
      ...prop(term('dct', 'accrualPeriodicity'), frequency ? node({ id: frequency, types: [term('dct', 'Frequency')], props: [] }) : undefined),
      [term('dct', 'accessRights'), node({ id: accessRightsUri(m.access_classification), types: [term('dct', 'RightsStatement')], props: [] })],
      ...prop(
        term('dct', 'temporal'),
        temporal ? node({ types: [term('dct', 'PeriodOfTime')], props: [[term('dcat', 'startDate'), typed(temporal.start, 'date')], [term('dcat', 'endDate'), typed(temporal.end, 'date')]] }) : undefined,
      ),
      ...regions.map((r): [string, Term] => [
        term('dct', 'spatial'),
        node({ id: regionIri(base, r.code), types: [term('dct', 'Location')], props: [[term('dct', 'identifier'), text(r.code)], ...prop(term('skos', 'prefLabel'), r.name ? text(r.name, ID) : undefined)] }),
      ]),
      ...prop(term('dct', 'provenance'), str(m.primary_source) ? node({ types: [term('dct', 'ProvenanceStatement')], props: [[term('rdfs', 'label'), text(`Sumber data primer: ${str(m.primary_source)}`, ID)]] }) : undefined),
      ...prop(term('dcat', 'version'), d.published ? text(String(d.published.version)) : undefined),
      ...prop(term('adms', 'versionNotes'), str(m.notes) ? text(str(m.notes)!, ID) : undefined),
      [term('dcat', 'theme'), node({ id: THEME_SOCIETY, types: [term('skos', 'Concept')], props: [[term('skos', 'prefLabel'), text('Population and society', EN)]] })],
      ...d.indicator_codes.flatMap((code): [string, Term][] => {
        const ind = indicators.get(code);
        return [[term('dcat', 'keyword'), text(ind ? ind.name : code, ID)], ...(ind ? [[term('dcat', 'theme'), node(indicatorConcept(base, ind))] as [string, Term]] : [])];
      }),
      ...distributions(base, d, indicators).map((dist): [string, Term] => [term('dcat', 'distribution'), node(dist)]),
    ],
  };
}

/**
 * The DCAT-AP 3 catalogue page: the catalogue, its datasets with their distributions, and
 * the hydra:PagedCollection that ckanext-dcat's harvester follows to the next page.
 */
export function buildCatalog(input: CatalogInput): Resource[] {
  const { baseUrl: base, page } = input;
  const lastPage = Math.max(1, Math.ceil(page.total / page.size));
  const link = (n: number) => iri(page.url(n));
  const catalog: Resource = {
    id: catalogIri(base),
    types: [term('dcat', 'Catalog')],
    props: [
      [term('dct', 'title'), text('Katalog data indikator kesejahteraan sosial (Satu Data Exchange)', ID)],
      [term('dct', 'title'), text('Catalogue of social-welfare indicator data (Satu Data Exchange)', EN)],
      [
        term('dct', 'description'),
        text('Dataset terbuka yang dipertukarkan antar-instansi melalui Satu Data Exchange, dengan metadata Satu Data dan MS-Ind indikatornya.', ID),
      ],
      [term('dct', 'description'), text('Open datasets exchanged between agencies through Satu Data Exchange, with their Satu Data metadata and the MS-Ind of their indicators.', EN)],
      [term('dct', 'publisher'), node({ id: `${base}/`, types: [term('foaf', 'Agent')], props: [[term('foaf', 'name'), text(input.publisherName)]] })],
      [term('foaf', 'homepage'), node({ id: `${base}/docs`, types: [term('foaf', 'Document')], props: [] })],
      [term('dct', 'language'), node({ id: LANGUAGE_INDONESIAN, types: [term('dct', 'LinguisticSystem')], props: [] })],
      [
        term('dcat', 'themeTaxonomy'),
        node({ id: indicatorSchemeIri(base), types: [term('skos', 'ConceptScheme')], props: [[term('dct', 'title'), text('Katalog indikator Satu Data (MS-Ind)', ID)]] }),
      ],
      ...input.datasets.map((d): [string, Term] => [term('dcat', 'dataset'), node(dataset(base, d, input.indicators))]),
    ],
  };
  const paging: Resource = {
    id: page.url(page.number),
    types: [term('hydra', 'PagedCollection')],
    props: [
      [term('hydra', 'totalItems'), typed(String(page.total), 'nonNegativeInteger')],
      [term('hydra', 'itemsPerPage'), typed(String(page.size), 'nonNegativeInteger')],
      // hydra:first/last/next/previous, and the older firstPage/… that earlier ckanext-dcat releases read.
      [term('hydra', 'first'), link(1)],
      [term('hydra', 'firstPage'), link(1)],
      [term('hydra', 'last'), link(lastPage)],
      [term('hydra', 'lastPage'), link(lastPage)],
      ...(page.number < lastPage ? ([[term('hydra', 'next'), link(page.number + 1)], [term('hydra', 'nextPage'), link(page.number + 1)]] as [string, Term][]) : []),
      ...(page.number > 1 ? ([[term('hydra', 'previous'), link(page.number - 1)], [term('hydra', 'previousPage'), link(page.number - 1)]] as [string, Term][]) : []),
    ],
  };
  return [catalog, paging];
}
