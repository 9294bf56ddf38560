import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { chosenOffer, type Offer } from '../../http/media-type.js';
import { problem } from '../../http/route-docs.js';
import { CatalogQuery, JsonLdDocument, TurtleDocument } from './schemas.js';
import { toJsonLd, toTurtle } from './serialize.js';
import { catalogPage } from './service.js';

/** What the catalogue is written as, in the order it prefers them. JSON-LD is JSON, so a JSON client gets it too. */
const OFFERS: Offer<'jsonld' | 'ttl' | 'json'>[] = [
  { format: 'jsonld', type: 'application/ld+json' },
  { format: 'ttl', type: 'text/turtle' },
  { format: 'json', type: 'application/json' },
];

const routes: FastifyPluginAsyncTypebox<{ publicBaseUrl: string; publisherName: string }> = async (app, opts) => {
  const db = app.database.db;

  app.get(
    '',
    {
      config: { access: 'public' },
      schema: {
        tags: ['Catalogue'],
        operationId: 'getCatalog',
        summary: 'DCAT-AP 3 catalogue of the open datasets',
        description:
          "The open (`terbuka`) datasets as a DCAT-AP 3 catalogue, in the form CKAN's ckanext-dcat RDF harvester reads (profile `euro_dcat_ap_3`): one `dcat:Dataset` per dataset, from its Satu Data metadata and the MS-Ind of its indicators (publisher = the owning agency, contact point = the steward, `dct:accrualPeriodicity` from the update schedule, `dct:temporal` from the reference and published periods, `dct:spatial` from the regions of its published figures, `dct:accessRights` from the access classification, each indicator a `dcat:theme` concept with its MS-Ind definition, concept and formula), with distributions that link to the CSV and JSON pulls of `/v1/figures` and to the SDMX data of each indicator. Public, like any open-data catalogue: datasets a consumer may not see in GET /v1/datasets (`terbatas`, `tertutup`) are never listed, and the data behind the links still needs a consumer token. JSON-LD by default, Turtle with `Accept: text/turtle` or `format=ttl`; any other Accept → 406. 100 datasets a page, oldest first, linked by a `hydra:PagedCollection` (`hydra:next`, and the older `hydra:nextPage`). IRIs and links are built from PUBLIC_BASE_URL. Strong ETag: If-None-Match → 304.",
        querystring: CatalogQuery,
        response: {
          200: {
            description: 'A page of the catalogue.',
            headers: { etag: { type: 'string', description: 'Strong validator of exactly these bytes.' } },
            content: {
              'application/ld+json': { schema: JsonLdDocument },
              'text/turtle': { schema: TurtleDocument },
              'application/json': { schema: JsonLdDocument },
            },
          },
          304: { description: 'Not modified (If-None-Match matched the ETag).', type: 'null' },
          404: problem('No such page: the catalogue has fewer pages (CATALOG_PAGE_NOT_FOUND).'),
          406: problem('The Accept header allows none of application/ld+json, text/turtle or application/json (NOT_ACCEPTABLE).'),
        },
      },
    },
    async (request, reply) => {
      const { page = 1, format } = request.query;
      const { type } = format ? OFFERS.find((o) => o.format === format)! : chosenOffer(request, OFFERS);
      const pageUrl = (n: number) => `${opts.publicBaseUrl}/v1/catalog?page=${n}${format ? `&format=${format}` : ''}`;
      const resources = await catalogPage(db, { baseUrl: opts.publicBaseUrl, publisherName: opts.publisherName, page, pageUrl });
      const body = Buffer.from(type === 'text/turtle' ? await toTurtle(resources) : toJsonLd(resources));
      const etag = `"${createHash('sha256').update(body).digest('base64url')}"`;
      reply.header('etag', etag).header('cache-control', 'public, no-cache').header('vary', 'Accept');
      const match = request.headers['if-none-match'];
      if (match && match.split(',').some((t) => t.trim() === etag || t.trim() === '*')) return reply.code(304).send(null);
      return reply.type(`${type}; charset=utf-8`).send(body);
    },
  );
};

export default routes;
