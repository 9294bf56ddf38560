import Type from 'typebox';

export const CatalogQuery = Type.Object(
  {
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 1, description: 'Page number (100 datasets a page); the hydra:next link of each page names the next one.' })),
    format: Type.Optional(
      Type.Enum(['jsonld', 'ttl'], { description: 'Overrides Accept: `jsonld` (application/ld+json) or `ttl` (text/turtle). Kept in the paging links, for harvesters that cannot send Accept.' }),
    ),
  },
  { additionalProperties: false },
);

const base = 'https://satudata.kaltaraprov.go.id';
const dataset = `${base}/v1/datasets/0b6f3f0e-3c2e-4a8e-9a59-2f0f4f7d9c11`;

const jsonLdExample = {
  '@context': { dcat: 'http://www.w3.org/ns/dcat#', dct: 'http://purl.org/dc/terms/', foaf: 'http://xmlns.com/foaf/0.1/', hydra: 'http://www.w3.org/ns/hydra/core#', xsd: 'http://www.w3.org/2001/XMLSchema#' },
  '@graph': [
    { '@id': `${base}/v1/catalog`, '@type': ['dcat:Catalog'], 'dct:title': [{ '@value': 'Katalog data indikator kesejahteraan sosial (Satu Data Exchange)', '@language': 'id' }], 'dcat:dataset': [{ '@id': dataset }] },
    {
      '@id': dataset,
      '@type': ['dcat:Dataset'],
      'dct:identifier': ['0b6f3f0e-3c2e-4a8e-9a59-2f0f4f7d9c11'],
      'dct:title': [{ '@value': 'Jumlah PPKS Kota Tarakan', '@language': 'id' }],
      'dct:publisher': [{ '@id': `${base}/v1/agencies/DINSOS-6571` }],
      'dct:accrualPeriodicity': [{ '@id': 'http://publications.europa.eu/resource/authority/frequency/ANNUAL' }],
      'dct:accessRights': [{ '@id': 'http://publications.europa.eu/resource/authority/access-right/PUBLIC' }],
      'dcat:distribution': [{ '@id': `${dataset}#csv` }, { '@id': `${dataset}#json` }, { '@id': `${dataset}#sdmx-PPKS-06` }],
    },
    { '@id': `${dataset}#csv`, '@type': ['dcat:Distribution'], 'dcat:downloadURL': [{ '@id': `${base}/v1/figures?indicator=PPKS-06&within=65.71&format=csv` }] },
    { '@id': `${base}/v1/catalog?page=1`, '@type': ['hydra:PagedCollection'], 'hydra:totalItems': [{ '@value': '1', '@type': 'xsd:nonNegativeInteger' }] },
  ],
};

const turtleExample = `@prefix dcat: <http://www.w3.org/ns/dcat#>.
@prefix dct: <http://purl.org/dc/terms/>.

<${base}/v1/catalog> a dcat:Catalog;
    dct:title "Katalog data indikator kesejahteraan sosial (Satu Data Exchange)"@id;
    dcat:dataset <${dataset}>.
<${dataset}> a dcat:Dataset;
    dct:identifier "0b6f3f0e-3c2e-4a8e-9a59-2f0f4f7d9c11";
    dct:title "Jumlah PPKS Kota Tarakan"@id;
    dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/ANNUAL>;
    dct:accessRights <http://publications.europa.eu/resource/authority/access-right/PUBLIC>;
    dcat:distribution <${dataset}#csv>.
`;

/** A JSON-LD 1.1 document: a prefix context and one node per resource. */
export const JsonLdDocument = Type.Object(
  {
    '@context': Type.Record(Type.String(), Type.String(), { description: 'The namespace prefixes used in @graph.' }),
    '@graph': Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'The catalogue, its datasets, distributions, agencies, indicators and the paging node.' }),
  },
  { examples: [jsonLdExample] },
);

export const TurtleDocument = Type.String({ description: 'The same graph in Turtle.', examples: [turtleExample] });
