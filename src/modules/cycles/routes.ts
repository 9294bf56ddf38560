import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { stringify } from 'csv-stringify/sync';
import { AppError } from '../../http/app-error.js';
import { decodeCursor, paginate } from '../../http/pagination.js';
import { PageQuery } from '../../http/schemas.js';
import { problem, RESPONSE_HEADERS, withHeaders } from '../../http/route-docs.js';
import { principalOf } from '../../plugins/auth.js';
import { outsideJurisdictionResponse as outsideJurisdiction } from '../authority/authority.js';
import { WRITERS_OF_REFERENCE } from '../../domain/principal.js';
import { findAgencyId } from '../agencies/repository.js';
import { cellMatches, cellState, type CellFilter } from './compliance.js';
import { daysLate, deadlineEnd, remindsNow, type TimeZone } from './deadline.js';
import { findCycle, listCycles, listObligations } from './repository.js';
import { localDate } from './indonesian-dates.js';
import { printSettings } from './letterhead-service.js';
import { renderComplianceHtml } from './report-html.js';
import {
  AgencyComplianceQuery,
  ComplianceHtmlQuery,
  ComplianceQuery,
  ComplianceSchema,
  CycleCreate,
  CyclePage,
  CyclePatch,
  CycleSchema,
  ObligationList,
  ObligationsBody,
  OverdueSchema,
} from './schemas.js';
import { addObligations, complianceReport, createCycle, patchCycle, presentCycle, presentObligation } from './service.js';

const CycleParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

type Report = Awaited<ReturnType<typeof complianceReport>>;

/** The report's JSON shape: `cells` and the deadline instant are internals unless listed. */
function reportBody({ cells: _cells, end: _end, ...rest }: Report) {
  return rest;
}

/** The cells behind the numbers, as `?cells=` lists them. */
function listedCells(report: Report, filter: CellFilter) {
  return report.cells
    .filter((c) => cellMatches(c, report.end, filter))
    .map(({ agency_name: _name, ...c }) => ({
      ...c,
      state: cellState(c, report.end),
      days_late: c.delivered_at ? daysLate(c.delivered_at, report.end) : 0,
      delivered_at: c.delivered_at?.toISOString() ?? null,
      final: c.final === true,
    }));
}

const CELL_COLUMNS = ['agency', 'indicator', 'region', 'period', 'disagg_key', 'state', 'delivered_at', 'days_late', 'conflict', 'final'];

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database.db;

  async function cycleOr404(id: string) {
    const row = await findCycle(db, id);
    if (!row) throw new AppError('CYCLE_NOT_FOUND', { id });
    return row;
  }

  app.post(
    '',
    {
      config: { access: WRITERS_OF_REFERENCE },
      schema: {
        tags: ['Compliance'],
        operationId: 'createCycle',
        summary: 'Open a collection cycle',
        description:
          "Walidata or admin, for a region inside the walidata's jurisdiction (403 OUTSIDE_JURISDICTION). A cycle collects reference periods from the agencies of a region by a deadline (end of that day in the cycle's zone: WIB, WITA or WIT, by default the region's), with milestones for validation, reconciliation and reporting. A deadline before the opening → 400. Audited.",
        body: CycleCreate,
        response: { 201: withHeaders(CycleSchema, RESPONSE_HEADERS.location('the new cycle')), 403: outsideJurisdiction, 422: problem('Unknown region (REFERENCE_INVALID).') },
      },
    },
    async (request, reply) => {
      const created = await createCycle(db, principalOf(request), request.id, request.body);
      return reply.code(201).header('location', `/v1/cycles/${created.id}`).send(created);
    },
  );

  app.get(
    '',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['Compliance'],
        operationId: 'listCycles',
        summary: 'List collection cycles',
        description: 'Newest first, optionally by status.',
        querystring: Type.Object({ status: Type.Optional(Type.Enum(['planned', 'open', 'closed'])), ...PageQuery }, { additionalProperties: false }),
        response: { 200: CyclePage },
      },
    },
    async (request) => {
      const { status, limit = 100, cursor } = request.query;
      const rows = await listCycles(db, { status, before: decodeCursor(cursor), limit });
      return paginate(rows, limit, (r) => r.id, presentCycle);
    },
  );

  app.get(
    '/:id',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['Compliance'], operationId: 'getCycle', summary: 'Get one cycle', description: 'Its schedule, zone, deadline (and the one first set) and status.', params: CycleParams, response: { 200: CycleSchema, 404: problem('No such cycle (CYCLE_NOT_FOUND).') } },
    },
    async (request) => presentCycle(await cycleOr404(request.params.id)),
  );

  app.patch(
    '/:id',
    {
      config: { access: WRITERS_OF_REFERENCE },
      schema: {
        tags: ['Compliance'],
        operationId: 'updateCycle',
        summary: 'Change a cycle',
        description:
          'Walidata or admin, for a cycle whose region lies inside the walidata\'s jurisdiction (403 OUTSIDE_JURISDICTION). Moving a deadline that has already passed needs a `reason` (400 otherwise) and is audited with the before and after; the compliance report states which deadline it used and can still be computed against the original one (`?deadline=original`), so who was on time never changes silently.',
        params: CycleParams,
        body: CyclePatch,
        response: { 200: CycleSchema, 403: outsideJurisdiction, 404: problem('No such cycle (CYCLE_NOT_FOUND).') },
      },
    },
    async (request) => patchCycle(db, principalOf(request), request.id, request.params.id, request.body),
  );

  app.post(
    '/:id/obligations',
    {
      config: { access: WRITERS_OF_REFERENCE },
      schema: {
        tags: ['Compliance'],
        operationId: 'addObligations',
        summary: 'Tell agencies what they owe',
        description:
          "Walidata or admin, for a cycle whose region lies inside the walidata's jurisdiction (403 OUTSIDE_JURISDICTION). Each obligation: an agency, an indicator, a region (or every region of `scope_level` inside it) and the breakdowns required besides the total. `from_catalogue` creates one obligation per indicator for each agency of the cycle's region whose kind the catalogue names as a source: an indicator with several source agencies (IKS-03, IKS-11, IKS-12, IKS-15 name two or three) gets one obligation per agency, because each owes its figure and their disagreement is what reconciliation settles — so one call for the 15 IKESOS indicators makes about 19 obligations. The total, without breakdowns, for the cycle's region itself. Unknown agency, indicator or region → 422 naming which. Existing obligations are kept. Audited.",
        params: CycleParams,
        body: ObligationsBody,
        response: {
          201: Type.Object(
            {
              requested: Type.Integer({ description: 'Obligations asked for (from the catalogue: one per indicator and source agency).' }),
              created: Type.Integer({ description: 'New ones (duplicates are skipped).' }),
            },
            { examples: [{ requested: 19, created: 19 }] },
          ),
          403: outsideJurisdiction,
          404: problem('No such cycle (CYCLE_NOT_FOUND).'),
          422: problem('Unknown agency, indicator or region (REFERENCE_INVALID); see errors.'),
        },
      },
    },
    async (request, reply) => reply.code(201).send(await addObligations(db, principalOf(request), request.id, request.params.id, request.body)),
  );

  app.get(
    '/:id/obligations',
    {
      config: { access: ['producer', 'walidata', 'admin'] },
      schema: {
        tags: ['Compliance'],
        operationId: 'listObligations',
        summary: "A cycle's obligations",
        description: "Walidata and admin see all; a producer sees only its own agency's.",
        params: CycleParams,
        response: { 200: ObligationList, 404: problem('No such cycle (CYCLE_NOT_FOUND).') },
      },
    },
    async (request) => {
      const viewer = principalOf(request);
      await cycleOr404(request.params.id);
      const agencyId = viewer.role === 'producer' ? (viewer.agency?.id ?? '') : undefined;
      return { data: (await listObligations(db, { cycleId: request.params.id, agencyId })).map(presentObligation) };
    },
  );

  app.get(
    '/:id/compliance',
    {
      config: { access: ['walidata', 'admin', 'consumer'] },
      schema: {
        tags: ['Compliance'],
        operationId: 'getCompliance',
        summary: 'Who delivered what, complete and on time',
        description:
          "Computed from what actually arrived: a cell (agency × indicator × region × period × breakdown) counts as delivered when a version of that agency that is not rejected holds it, on time when that version came before the deadline's end. Per agency: expected, delivered, on time, late (days), missing, completeness and timeliness %, quality (versions rejected or returned, findings per 100 rows), metadata completeness, consistency (share of its figures in conflict, and still unresolved). Cycle KPIs against their targets. A cell is on time when delivered before the deadline ended and before the cycle was closed, whichever came first (`deadline_used.on_time_until`). Every KPI (`cells`) and each agency (`links`) links to the cells behind it; `?cells=` lists them (also as CSV, one row per cell). JSON, or CSV (one row per agency) with Accept: text/csv or ?format=csv. Producers use /compliance/{agency} for their own.",
        params: CycleParams,
        querystring: ComplianceQuery,
        response: {
          200: { description: 'The report.', content: { 'application/json': { schema: ComplianceSchema }, 'text/csv': { schema: Type.String({ examples: ['agency,light,expected,delivered,on_time,late,missing,completeness_pct,timeliness_pct\nDINSOS-6571,green,4,4,4,0,0,100,100\n'] }) } } },
          404: problem('No such cycle (CYCLE_NOT_FOUND).'),
        },
      },
    },
    async (request, reply) => {
      const report = await complianceReport(db, request.params.id, request.query.deadline ?? 'current');
      const wantsCsv = request.query.format === 'csv' || (request.query.format === undefined && /text\/csv/.test(request.headers.accept ?? ''));
      const wanted = request.query.cells;
      if (wanted) {
        const cells = listedCells(report, wanted);
        if (wantsCsv) return reply.type('text/csv; charset=utf-8').send(stringify(cells, { header: true, columns: CELL_COLUMNS, cast: { boolean: String } }) as never);
        return reply.type('application/json; charset=utf-8').send({ ...reportBody(report), cells } as never);
      }
      if (wantsCsv) {
        const columns = ['agency', 'light', 'expected', 'delivered', 'on_time', 'late', 'missing', 'completeness_pct', 'timeliness_pct', 'max_days_late'];
        return reply.type('text/csv; charset=utf-8').send(stringify(report.agencies, { header: true, columns }) as never);
      }
      return reply.type('application/json; charset=utf-8').send(reportBody(report) as never);
    },
  );

  app.get(
    '/:id/compliance.html',
    {
      config: { access: ['walidata', 'admin', 'consumer'] },
      schema: {
        tags: ['Compliance'],
        operationId: 'getComplianceHtml',
        summary: 'The compliance report as a printable official document',
        description:
          "An A4 document in Indonesian with no external assets and no script (print it to PDF from a browser): the heading of the issuing office (the letterhead of the cycle's region, /v1/regions/{code}/report-letterhead, logo included as a data: URL), the cycle KPIs against their targets, a plain summary (how many agencies were on time, how many late and by at most how many days, how many incomplete), a table per agency with a traffic light written out, a bar chart of completeness and timeliness on a 0–100 % scale (a 0 % bar is marked on the axis and labelled), what is still missing, and a signature block (place, date, position, name, NIP). Dates and times are written the Indonesian way in the cycle's zone (\"7 Desember 2026, 14.05 WITA\"). The query can name another signatory, place or date for this print; without a letterhead the heading is left out and the signature block printed with blanks to fill in by hand.",
        params: CycleParams,
        querystring: ComplianceHtmlQuery,
        response: { 200: { description: 'An HTML page.', content: { 'text/html': { schema: Type.String({ examples: ['<!doctype html><html lang="id">…</html>'] }) } } }, 404: problem('No such cycle (CYCLE_NOT_FOUND).') },
      },
    },
    async (request, reply) => {
      const { deadline, ...overrides } = request.query;
      const report = await complianceReport(db, request.params.id, deadline ?? 'current');
      const print = await printSettings(db, report.cycle.region, overrides, localDate(new Date(report.generated_at), report.cycle.time_zone));
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
        .send(renderComplianceHtml(report, print) as never);
    },
  );

  app.get(
    '/:id/compliance/:agency',
    {
      config: { access: ['producer', 'walidata', 'admin', 'consumer'] },
      schema: {
        tags: ['Compliance'],
        operationId: 'getAgencyCompliance',
        summary: "One agency's compliance, with the cells behind it",
        description: "The report restricted to one agency; `?cells=` lists the cells behind its numbers. A producer may only ask for its own agency (403 otherwise).",
        params: Type.Object({ id: Type.String({ format: 'uuid' }), agency: Type.String({ maxLength: 64 }) }),
        querystring: AgencyComplianceQuery,
        response: { 200: ComplianceSchema, 403: problem("Another agency's report (AGENCY_SCOPE_FORBIDDEN)."), 404: problem('No such cycle or agency (CYCLE_NOT_FOUND, AGENCY_NOT_FOUND).') },
      },
    },
    async (request) => {
      const viewer = principalOf(request);
      const { id, agency } = request.params;
      if (viewer.role === 'producer' && viewer.agency?.code !== agency) throw new AppError('AGENCY_SCOPE_FORBIDDEN', { agency: viewer.agency?.code ?? '' });
      const found = await findAgencyId(db, agency);
      if (!found) throw new AppError('AGENCY_NOT_FOUND', { code: agency });
      const report = await complianceReport(db, id, request.query.deadline ?? 'current', { id: found.id, code: agency });
      const wanted = request.query.cells;
      return { ...reportBody(report), ...(wanted ? { cells: listedCells(report, wanted) } : {}) };
    },
  );

  app.get(
    '/:id/overdue',
    {
      config: { access: ['walidata', 'admin'] },
      schema: {
        tags: ['Compliance'],
        operationId: 'listOverdue',
        summary: 'Agencies still owing data near the deadline',
        description: 'Only while the cycle is `open`, from `days` (default 7) before the deadline on: every agency with obligations still missing, with what is missing. A planned or closed cycle reminds nobody. The same reminder appears in each agency\'s /v1/inbox.',
        params: CycleParams,
        querystring: Type.Object({ days: Type.Optional(Type.Integer({ minimum: 0, maximum: 365, default: 7 })) }, { additionalProperties: false }),
        response: { 200: OverdueSchema, 404: problem('No such cycle (CYCLE_NOT_FOUND).') },
      },
    },
    async (request) => {
      const days = request.query.days ?? 7;
      const cycle = await cycleOr404(request.params.id);
      const end = deadlineEnd(cycle.deadline, cycle.time_zone as TimeZone);
      const reminding = remindsNow(cycle.status, end, days);
      const report = reminding ? await complianceReport(db, cycle.id, 'current') : null;
      return {
        cycle_id: cycle.id,
        deadline: cycle.deadline,
        deadline_ends_at: end.toISOString(),
        days_before: days,
        reminding,
        agencies: (report?.agencies ?? [])
          .filter((a) => a.missing > 0)
          .map((a) => ({ agency: a.agency, agency_name: a.agency_name, missing: a.missing, indicators: report!.missing.filter((m) => m.agency === a.agency).map((m) => m.indicator) })),
      };
    },
  );
};

export default routes;
