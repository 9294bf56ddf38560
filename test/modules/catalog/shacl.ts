import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser, Store } from 'n3';
import jsonld from 'jsonld';
import SHACLValidator from 'rdf-validate-shacl';
import { projectRoot } from '../../../migrations/reference-files.js';

const FIXTURES = join(projectRoot(), 'test', 'fixtures', 'dcat-ap-3');

/** The official DCAT-AP 3.0.1 shapes: cardinalities and datatypes, and the classes of ranges. */
const SHAPES = new Store(['dcat-ap-SHACL.ttl', 'ranges.ttl'].flatMap((file) => new Parser().parse(readFileSync(join(FIXTURES, file), 'utf8'))));

export const parseTurtle = (text: string): Store => new Store(new Parser({ format: 'text/turtle' }).parse(text));

/** JSON-LD to RDF with a real JSON-LD processor (jsonld.js), then into a store. */
export async function parseJsonLd(text: string): Promise<Store> {
  const nquads = (await jsonld.toRDF(JSON.parse(text), { format: 'application/n-quads' })) as unknown as string;
  return new Store(new Parser({ format: 'application/n-quads' }).parse(nquads));
}

export interface Violation {
  focus: string;
  path: string | undefined;
  message: string;
  severity: string;
}

/** The SHACL results of the data against DCAT-AP 3, violations and warnings alike. */
export async function validateDcatAp(data: Store): Promise<{ conforms: boolean; results: Violation[] }> {
  const validator = new SHACLValidator(SHAPES);
  const report = await validator.validate(data);
  return {
    conforms: report.conforms,
    results: report.results.map((r) => ({
      focus: r.focusNode?.value ?? '',
      path: r.path?.value,
      message: r.message.map((m) => m.value).join(' '),
      severity: r.severity?.value.replace('http://www.w3.org/ns/shacl#', '') ?? '',
    })),
  };
}
