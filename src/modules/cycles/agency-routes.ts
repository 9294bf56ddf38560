import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../http/app-error.js';
import { problem } from '../../http/route-docs.js';
import { principalOf } from '../../plugins/auth.js';
import { findAgencyId } from '../agencies/repository.js';
import { listObligations } from './repository.js';
import { ObligationList } from './schemas.js';
import { presentObligation } from './service.js';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/:code/obligations',
    {
      config: { access: ['producer', 'walidata', 'admin'] },
      schema: {
        tags: ['Compliance'],
        operationId: 'listAgencyObligations',
        summary: 'What an agency owes, across cycles',
        description: "A producer may ask only for its own agency (403 otherwise); walidata and admin for any.",
        params: Type.Object({ code: Type.String({ maxLength: 64 }) }),
        response: { 200: ObligationList, 403: problem("Another agency's obligations (AGENCY_SCOPE_FORBIDDEN)."), 404: problem('No such agency (AGENCY_NOT_FOUND).') },
      },
    },
    async (request) => {
      const viewer = principalOf(request);
      const { code } = request.params;
      if (viewer.role === 'producer' && viewer.agency?.code !== code) throw new AppError('AGENCY_SCOPE_FORBIDDEN', { agency: viewer.agency?.code ?? '' });
      const agency = await findAgencyId(app.database.db, code);
      if (!agency) throw new AppError('AGENCY_NOT_FOUND', { code });
      const rows = await listObligations(app.database.db, { agencyId: agency.id });
      return { data: rows.map(presentObligation) };
    },
  );
};

export default routes;
