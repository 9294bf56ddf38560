import { DataFactory, Writer, type BlankNode, type Literal, type NamedNode } from 'n3';
import { compact, NS, type Resource, type Term } from './rdf.js';

const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';

/** A blank node keeps its properties where it is used; every IRI node stands alone, once. */
type Flat = { kind: 'iri'; iri: string } | { kind: 'literal'; value: string; datatype?: string; lang?: string } | { kind: 'blank'; types: string[]; props: [string, Flat][] };

interface Subject {
  types: string[];
  props: [string, Flat][];
  seen: Set<string>;
}

/**
 * Merges every resource with an IRI into one subject (an agency publishes many datasets,
 * and a vocabulary term is named by many), keeping the order in which they first appear.
 */
function flatten(resources: readonly Resource[]): Map<string, Subject> {
  const subjects = new Map<string, Subject>();
  const visit = (resource: Resource): Flat => {
    if (resource.id === undefined) return { kind: 'blank', types: resource.types, props: resource.props.map(([p, o]): [string, Flat] => [p, object(o)]) };
    // Filed before its objects are visited, so a subject comes before the resources it names.
    let subject = subjects.get(resource.id);
    if (!subject) subjects.set(resource.id, (subject = { types: [], props: [], seen: new Set() }));
    for (const t of resource.types) if (!subject.types.includes(t)) subject.types.push(t);
    for (const [p, o] of resource.props.map(([p, o]): [string, Flat] => [p, object(o)])) {
      const key = JSON.stringify([p, o]);
      if (!subject.seen.has(key)) subject.props.push([p, o]), subject.seen.add(key);
    }
    return { kind: 'iri', iri: resource.id };
  };
  const object = (o: Term): Flat => {
    if ('iri' in o) return { kind: 'iri', iri: o.iri };
    if ('node' in o) return visit(o.node);
    return { kind: 'literal', value: o.value, ...(o.datatype ? { datatype: o.datatype } : {}), ...(o.lang ? { lang: o.lang } : {}) };
  };
  for (const r of resources) visit(r);
  return subjects;
}

const CONTEXT = Object.fromEntries(Object.entries(NS));

function jsonValue(o: Flat): unknown {
  if (o.kind === 'iri') return { '@id': o.iri };
  if (o.kind === 'literal') {
    if (o.lang) return { '@value': o.value, '@language': o.lang };
    if (o.datatype) return { '@value': o.value, '@type': compact(o.datatype) };
    return o.value;
  }
  return jsonNode(o.types, o.props);
}

function jsonNode(types: readonly string[], props: readonly [string, Flat][], id?: string): Record<string, unknown> {
  const out: Record<string, unknown> = id === undefined ? {} : { '@id': id };
  if (types.length > 0) out['@type'] = types.map(compact);
  for (const [p, o] of props) {
    const key = compact(p);
    const list = (out[key] as unknown[] | undefined) ?? (out[key] = []);
    (list as unknown[]).push(jsonValue(o));
  }
  return out;
}

/** JSON-LD 1.1 with a prefix context and one node per IRI in @graph. */
export function toJsonLd(resources: readonly Resource[]): string {
  const graph = [...flatten(resources)].map(([id, s]) => jsonNode(s.types, s.props, id));
  return JSON.stringify({ '@context': CONTEXT, '@graph': graph }, null, 2);
}

/** Turtle, with the namespaces as prefixes and blank nodes written inline. */
export function toTurtle(resources: readonly Resource[]): Promise<string> {
  const writer = new Writer({ prefixes: { ...NS } });
  const rdfType = DataFactory.namedNode(RDF_TYPE);
  const toTerm = (o: Flat): NamedNode | Literal | BlankNode => {
    if (o.kind === 'iri') return DataFactory.namedNode(o.iri);
    if (o.kind === 'literal') return DataFactory.literal(o.value, o.lang ?? (o.datatype ? DataFactory.namedNode(o.datatype) : undefined));
    const entries = [...o.types.map((t) => ({ predicate: rdfType, object: DataFactory.namedNode(t) })), ...o.props.map(([p, v]) => ({ predicate: DataFactory.namedNode(p), object: toTerm(v) }))];
    return writer.blank(entries) as unknown as BlankNode;
  };
  for (const [id, s] of flatten(resources)) {
    const subject = DataFactory.namedNode(id);
    for (const t of s.types) writer.addQuad(subject, rdfType, DataFactory.namedNode(t));
    for (const [p, o] of s.props) writer.addQuad(subject, DataFactory.namedNode(p), toTerm(o));
  }
  return new Promise((resolve, reject) => writer.end((err, out: string) => (err ? reject(err) : resolve(out))));
}

