import fp from 'fastify-plugin';
import swagger, { type FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { stringify } from 'yaml';
import { addHeaderToEveryResponse, nameTitledSchemas } from '../http/openapi-components.js';

/** The API contract's version: bumped with every change to the document, as the CHANGELOG says. */
export const API_VERSION = '0.8.0';

export const TAGS = [
  { name: 'Auth', description: 'Access tokens for machine clients (OAuth2 client credentials).' },
  { name: 'Regions', description: 'Kemendagri administrative region codes (Kepmendagri 2025): provinsi, kab/kota, kecamatan, desa/kelurahan.' },
  { name: 'Indicators', description: 'The indicator catalogue with Satu Data / BPS MS-Ind metadata; managed by the walidata.' },
  { name: 'Agencies', description: 'Data-producing agencies (OPD) and their jurisdictions.' },
  { name: 'Codelists', description: 'Reference codelists the API uses: measures, units, periods, observation status, disaggregations.' },
  { name: 'Datasets', description: 'Indicator datasets an agency owns, with Satu Data dataset metadata.' },
  { name: 'Review', description: 'The verification workflow (verify, publish, return), the inbox and dataset history.' },
  { name: 'Findings', description: 'Validation and anomaly findings across datasets: answers by agencies, decisions by walidata.' },
  { name: 'Reconciliation', description: 'Conflicts between agencies and the per-indicator policies that settle them.' },
  { name: 'Figures', description: 'The pull API: reconciled figures with provenance, time series and the change feed.' },
  { name: 'DHIS2', description: 'DHIS2 data value sets: push `dataValueSets` (JSON or CSV, idScheme=CODE) through a per-dataset code mapping, and export reconciled figures the same way.' },
  { name: 'SDMX', description: 'SDMX 2.1 REST over the reconciled figures: dataflows per indicator, structures, codelists (Kemendagri regions), data as SDMX-ML, SDMX-CSV or SDMX-JSON.' },
  { name: 'Compliance', description: 'Collection cycles, obligations, and compliance reports computed from what actually arrived.' },
  { name: 'Catalogue', description: 'The open datasets as a DCAT-AP 3 catalogue (JSON-LD, Turtle) for CKAN / Satu Data portals to harvest.' },
  { name: 'IKESOS', description: 'Social-welfare index: versioned methodologies, scores, explanations, sensitivity, official scores.' },
  { name: 'Clients', description: 'Machine clients and their credentials (admin only).' },
  { name: 'Audit', description: 'The append-only record of every change.' },
  { name: 'Webhooks', description: 'Signed event deliveries (Standard Webhooks) to subscribers\' URLs: figure changes, conflicts, review steps, findings to answer, deadline reminders; delivery logs and replay.' },
  { name: 'Health', description: 'Liveness and readiness probes.' },
];

const DESCRIPTION = `
Satu Data Exchange lets Indonesian government agencies exchange social-welfare indicator data
under Satu Data Indonesia (Perpres 39/2019).

**Authentication.** Get a token with \`POST /v1/auth/token\` (client credentials), then send
\`Authorization: Bearer <token>\`. Roles: \`admin\` (clients, and national reference data), \`walidata\` (review,
reconciliation, agencies and cycles of its jurisdiction), \`producer\` (its own agency's data, inside its jurisdiction),
\`consumer\` (read only). **Authority follows jurisdiction**: a walidata acts only for its agency's region and the
regions inside it (403 \`OUTSIDE_JURISDICTION\`); a walidata without an agency, and an admin, is national. National
reference data (indicator catalogue, quality rules, IKESOS methodologies, official scores, the national reconciliation
policy) is changed by national walidata and admins only (403 \`NATIONAL_AUTHORITY_REQUIRED\`); a region's walidata
sets its own reconciliation policy (\`?region=\`), which overrides the national one for keys inside it.

**Errors** are RFC 9457 \`application/problem+json\` with a stable \`code\`; \`title\` and \`detail\` are in
Bahasa Indonesia by default and in English with \`Accept-Language: en\`.

**The data cycle.** Producers push versions (\`/v1/datasets/{id}/versions\`), validated against the Satu Data
principles and checked for anomalies; walidata verify and publish them (\`…/review\`); published figures of
different agencies are reconciled (\`/v1/conflicts\`) into one figure per key, which consumers pull
(\`/v1/figures\`, \`/v1/figures/changes\`) and from which IKESOS scores are computed (\`/v1/ikesos/scores\`).

**Paging.** Lists return \`{ data, page: { next_cursor, limit } }\`; pass \`cursor\` to get the next page.

**Request ids.** Send \`x-request-id\` (1–128 characters of \`A-Z a-z 0-9 . _ : -\`) or get one generated; it is echoed back and appears in every problem.
`.trim();

/** The document's static part; routes add their paths. Exported so the generator uses the same one. */
export const openapiDocument: NonNullable<FastifyDynamicSwaggerOptions['openapi']> = {
  openapi: '3.1.0',
  info: {
    title: 'Satu Data Exchange API',
    version: API_VERSION,
    description: DESCRIPTION,
    // As package.json declares: no public licence has been granted for the service.
    license: { name: 'Proprietary (UNLICENSED): use as agreed with the operator', identifier: 'LicenseRef-Proprietary' },
  },
  // Relative: the document is served by the service it describes (/openapi.json), so a
  // client resolves paths against wherever it fetched it from.
  servers: [{ url: '/', description: 'The service that serves this document.' }],
  tags: TAGS,
  components: {
    securitySchemes: {
      bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Token from POST /v1/auth/token.' },
    },
  },
};

/**
 * Swagger UI is its own scripts and styles under /docs/static, the document it fetches from
 * /docs/json, and images inlined as data: URIs; its bundle also sets inline styles (no inline
 * scripts). It replaces, on /docs only, the API's policy that lets a browser load nothing
 * (see plugins/security.ts).
 */
export const DOCS_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export default fp(
  async (app, opts: { webhooks?: Record<string, unknown> }) => {
    await app.register(swagger, {
      // OpenAPI 3.1 `webhooks`: the messages the service sends, described by the module that sends them.
      openapi: { ...openapiDocument, ...(opts.webhooks ? { webhooks: opts.webhooks } : {}) } as typeof openapiDocument,
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
      },
      transformObject: (documents) => {
        const document = 'openapiObject' in documents ? documents.openapiObject : documents.swaggerObject;
        nameTitledSchemas(document as Record<string, unknown>);
        addHeaderToEveryResponse(document as Record<string, unknown>, 'x-request-id', {
          description: 'The request id: the one sent in x-request-id when valid, else a generated UUID; quote it when reporting a problem.',
          schema: { type: 'string' },
        });
        return document;
      },
    });
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      // No validator badge: it would send the document's address to validator.swagger.io.
      uiConfig: { deepLinking: true, docExpansion: 'list', validatorUrl: null },
      staticCSP: DOCS_CSP,
    });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    app.get('/openapi.yaml', { schema: { hide: true } }, async (_request, reply) =>
      reply.type('application/yaml; charset=utf-8').send(stringify(app.swagger(), { lineWidth: 0 })),
    );
  },
  { name: 'openapi' },
);
