/**
 * A small RDF model for the catalogue: resources with properties, built by graph.ts and
 * written as JSON-LD or Turtle by serialize.ts. Resources with an IRI stand alone; those
 * without one are blank nodes written where they are used.
 */
export type Term = { iri: string } | { value: string; datatype?: string; lang?: string } | { node: Resource };

export interface Resource {
  id?: string;
  types: string[];
  props: [predicate: string, object: Term][];
}

export const NS = {
  adms: 'http://www.w3.org/ns/adms#',
  dcat: 'http://www.w3.org/ns/dcat#',
  dcatap: 'http://data.europa.eu/r5r/',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  hydra: 'http://www.w3.org/ns/hydra/core#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
} as const;

type Prefix = keyof typeof NS;
/** `term('dct', 'title')` is the full IRI of dct:title. */
export const term = (prefix: Prefix, local: string) => `${NS[prefix]}${local}`;

export const iri = (value: string): Term => ({ iri: value });
export const text = (value: string, lang?: string): Term => (lang ? { value, lang } : { value });
export const typed = (value: string, type: 'date' | 'dateTime' | 'integer' | 'nonNegativeInteger'): Term => ({ value, datatype: term('xsd', type) });
export const node = (resource: Resource): Term => ({ node: resource });

/** The prefixed name of an IRI (`dct:title`), or the IRI itself outside the known namespaces. */
export function compact(value: string): string {
  for (const [prefix, ns] of Object.entries(NS)) {
    if (value.startsWith(ns) && /^[A-Za-z_][\w-]*$/.test(value.slice(ns.length))) return `${prefix}:${value.slice(ns.length)}`;
  }
  return value;
}
