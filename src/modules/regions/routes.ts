import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../http/app-error.js';
import { decodeCursor, paginate } from '../../http/pagination.js';
import { problem } from '../../http/route-docs.js';
import { ancestorCodes, levelName, levelNumber } from '../../domain/region-code.js';
import { countChildren, findRegion, findRegions, latestPopulation, listRegions } from './repository.js';
import { RegionCode, type RegionKind, RegionDetail, RegionListQuery, RegionPage } from './schemas.js';

function present(row: { code: string; name: string; level: number; kind: string; parent_code: string | null }) {
  return { code: row.code, name: row.name, level: levelName(row.level), kind: row.kind as RegionKind, parent_code: row.parent_code };
}

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database.db;

  app.get(
    '',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['Regions'],
        operationId: 'listRegions',
        summary: 'List regions',
        description:
          'Kemendagri regions ordered by code, filtered by parent, level and name. Example: `parent=65` gives the five kab/kota of Kalimantan Utara. A well-formed `parent` that is not in the reference (`00`, `65.99`) → 404 REGION_NOT_FOUND, so a mistyped code is not mistaken for a region without children (an existing region without children gives an empty page); malformed codes such as `11.1` → 400 explaining why.',
        querystring: RegionListQuery,
        response: { 200: RegionPage, 404: problem('The `parent` region is not in the Kemendagri reference (REGION_NOT_FOUND).') },
      },
    },
    async (request) => {
      const { parent, level, q, limit = 100, cursor } = request.query;
      if (parent !== undefined && !(await findRegion(db, parent))) throw new AppError('REGION_NOT_FOUND', { code: parent });
      const rows = await listRegions(db, {
        parent,
        level: level === undefined ? undefined : levelNumber(level),
        q,
        after: decodeCursor(cursor),
        limit,
      });
      return paginate(rows, limit, (r) => r.code, present);
    },
  );

  app.get(
    '/:code',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['Regions'],
        operationId: 'getRegion',
        summary: 'Get one region',
        description: 'A region with its chain of parents, the number of its direct children and its population reference.',
        params: Type.Object({ code: RegionCode }),
        response: { 200: RegionDetail },
      },
    },
    async (request) => {
      const { code } = request.params;
      const region = await findRegion(db, code);
      if (!region) throw new AppError('REGION_NOT_FOUND', { code });
      const [parents, childCount, population] = await Promise.all([
        findRegions(db, ancestorCodes(code)),
        countChildren(db, code),
        latestPopulation(db, code),
      ]);
      return {
        ...present(region),
        parents: parents.map((p) => ({ code: p.code, name: p.name, level: levelName(p.level) })),
        child_count: childCount,
        population: population ?? null,
      };
    },
  );
};

export default routes;
