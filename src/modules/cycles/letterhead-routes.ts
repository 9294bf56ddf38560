import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WRITERS_OF_REFERENCE } from '../../domain/principal.js';
import { REGION_CODE_PATTERN } from '../../domain/region-code.js';
import { problem } from '../../http/route-docs.js';
import { principalOf } from '../../plugins/auth.js';
import { outsideJurisdictionResponse as outsideJurisdiction } from '../authority/authority.js';
import { getLetterhead, putLetterhead, removeLetterhead } from './letterhead-service.js';
import { LetterheadBody, LetterheadSchema } from './schemas.js';

const RegionParams = Type.Object({ code: Type.String({ pattern: REGION_CODE_PATTERN, description: 'Kemendagri code of the region whose reports carry it.' }) });
const notFound = problem('No such region, or it has no letterhead (REGION_NOT_FOUND, LETTERHEAD_NOT_FOUND).');

/** The heading and signature block printed on the compliance reports of a region's cycles. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database.db;

  app.get(
    '/:code/report-letterhead',
    {
      config: { access: ['walidata', 'admin', 'consumer'] },
      schema: {
        tags: ['Compliance'],
        operationId: 'getReportLetterhead',
        summary: "The heading and signature block of a region's compliance reports",
        description: 'The office heading (name, address, contact, logo) and the signatory (name, position, NIP, place) printed on /v1/cycles/{id}/compliance.html for every cycle of this region. Readable by whoever may read the report.',
        params: RegionParams,
        response: { 200: LetterheadSchema, 404: notFound },
      },
    },
    async (request) => getLetterhead(db, request.params.code),
  );

  app.put(
    '/:code/report-letterhead',
    {
      config: { access: WRITERS_OF_REFERENCE },
      schema: {
        tags: ['Compliance'],
        operationId: 'putReportLetterhead',
        summary: "Set the heading and signature block of a region's compliance reports",
        description:
          "Walidata whose jurisdiction covers the region, or admin (403 OUTSIDE_JURISDICTION otherwise). Replaces the whole letterhead (fields left out become empty). Stored per region, not per cycle: the office issuing a region's reports and its head are the same from one cycle to the next; one print can still name another signatory, place or date in the query of compliance.html. The logo is a base64 data: URL (PNG or JPEG, at most 100 KiB decoded: 413 LOGO_TOO_LARGE; another type or content not matching it: 422 LOGO_INVALID), so the report stays free of external assets. 201 when created, 200 when replaced. Audited with the before and after (the logo by its SHA-256).",
        params: RegionParams,
        body: LetterheadBody,
        response: {
          200: LetterheadSchema,
          201: LetterheadSchema,
          403: outsideJurisdiction,
          404: problem('No such region (REGION_NOT_FOUND).'),
          413: problem('The logo is larger than 100 KiB decoded (LOGO_TOO_LARGE), or the body exceeds the size limit (PAYLOAD_TOO_LARGE).'),
          422: problem('The logo is not a base64 data: URL of a PNG or JPEG, or its content is not the declared type (LOGO_INVALID); see errors.'),
        },
      },
    },
    async (request, reply) => {
      const { created, letterhead } = await putLetterhead(db, principalOf(request), request.id, request.params.code, request.body);
      return reply.code(created ? 201 : 200).send(letterhead);
    },
  );

  app.delete(
    '/:code/report-letterhead',
    {
      config: { access: WRITERS_OF_REFERENCE },
      schema: {
        tags: ['Compliance'],
        operationId: 'deleteReportLetterhead',
        summary: "Remove a region's report letterhead",
        description: "Walidata whose jurisdiction covers the region, or admin (403 OUTSIDE_JURISDICTION otherwise). The region's reports print without a heading again, with an empty signature block to fill in by hand. Audited.",
        params: RegionParams,
        response: { 204: Type.Null({ description: 'Removed.' }), 403: outsideJurisdiction, 404: notFound },
      },
    },
    async (request, reply) => {
      await removeLetterhead(db, principalOf(request), request.id, request.params.code);
      return reply.code(204).send(null);
    },
  );
};

export default routes;
