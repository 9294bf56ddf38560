import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../http/app-error.js';
import { findCodelist, listCodelists, listCodes } from './repository.js';

const CodelistSummary = Type.Object({
  name: Type.String({ examples: ['obs-status'] }),
  title_id: Type.String(),
  title_en: Type.String(),
  description_id: Type.String(),
  description_en: Type.String(),
  code_count: Type.Integer(),
}, { title: 'CodelistSummary' });

const Code = Type.Object({
  code: Type.String(),
  label_id: Type.String(),
  label_en: Type.String(),
  attributes: Type.Record(Type.String(), Type.Unknown(), { description: 'Codelist-specific properties, e.g. a period pattern.' }),
});

const CodelistDetail = Type.Object(
  {
    name: Type.String(),
    title_id: Type.String(),
    title_en: Type.String(),
    description_id: Type.String(),
    description_en: Type.String(),
    codes: Type.Array(Code),
  },
  {
    title: 'Codelist',
    examples: [
      {
        name: 'obs-status',
        title_id: 'Status observasi',
        title_en: 'Observation status',
        description_id: 'Kode OBS_STATUS SDMX untuk status sebuah nilai.',
        description_en: 'SDMX OBS_STATUS codes describing the status of a value.',
        codes: [{ code: 'A', label_id: 'Nilai normal', label_en: 'Normal value', attributes: {} }],
      },
    ],
  },
);

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database.db;

  app.get(
    '',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['Codelists'],
        operationId: 'listCodelists',
        summary: 'List codelists',
        description:
          'Every codelist the API uses: measures, units, periods (periodicities and their canonical period form), obs-status (SDMX OBS_STATUS), disaggregation-dimensions and one list per dimension (sex, age-group, disability, desil), region-levels, region-kinds, agency-kinds, roles, directions, ikesos-dimensions, indicator-groups, value-types.',
        response: {
          200: Type.Object(
            { data: Type.Array(CodelistSummary) },
            {
              examples: [
                {
                  data: [
                    {
                      name: 'units',
                      title_id: 'Satuan',
                      title_en: 'Units',
                      description_id: 'Satuan nilai indikator.',
                      description_en: 'Units in which indicator values are expressed.',
                      code_count: 10,
                    },
                  ],
                },
              ],
            },
          ),
        },
      },
    },
    async () => ({ data: await listCodelists(db) }),
  );

  app.get(
    '/:name',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['Codelists'],
        operationId: 'getCodelist',
        summary: 'Get a codelist with its codes',
        description: 'The codes of one codelist in their defined order, with Indonesian and English labels.',
        params: Type.Object({ name: Type.String({ pattern: '^[a-z0-9-]{1,64}$', examples: ['obs-status'] }) }),
        response: { 200: CodelistDetail },
      },
    },
    async (request) => {
      const list = await findCodelist(db, request.params.name);
      if (!list) throw new AppError('CODELIST_NOT_FOUND', { name: request.params.name });
      return { ...list, codes: await listCodes(db, list.name) };
    },
  );
};

export default routes;
