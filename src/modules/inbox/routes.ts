import Type, { type TSchema } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../plugins/auth.js';
import { obligationsDue } from '../cycles/service.js';
import { findingsToAnswer, findingsToDecide, returnedVersions, SECTION_LIMIT, versionsToPublish, versionsToVerify } from './repository.js';
import { jurisdictionOf } from '../../domain/jurisdiction.js';

const Section = <T extends TSchema>(item: T, description: string) =>
  Type.Object({ count: Type.Integer({ description: 'How many in all.' }), data: Type.Array(item, { description: `The first ${SECTION_LIMIT}, oldest first.` }) }, { description });

const VersionItem = Type.Object({
  dataset_id: Type.String({ format: 'uuid' }),
  dataset_title: Type.String(),
  agency: Type.String(),
  version: Type.Integer(),
  status: Type.String(),
  submitted_at: Type.String({ format: 'date-time' }),
  error_count: Type.Integer(),
  warning_count: Type.Integer(),
  link: Type.String({ description: 'The version resource.' }),
});

const ReturnedItem = Type.Object({
  ...VersionItem.properties,
  return_note: Type.Union([Type.String(), Type.Null()]),
  returned_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  returned_by: Type.Union([Type.String(), Type.Null()]),
});

const FindingItem = Type.Object({
  id: Type.String(),
  code: Type.String(),
  severity: Type.String(),
  status: Type.String(),
  message: Type.Object({ id: Type.String(), en: Type.String() }),
  answer: Type.Union([Type.String(), Type.Null()]),
  dataset_id: Type.String({ format: 'uuid' }),
  version: Type.Integer(),
  agency: Type.String(),
  link: Type.String({ description: 'The finding resource.' }),
});

const DueItem = Type.Object({
  cycle_id: Type.String(),
  cycle_name: Type.String(),
  deadline: Type.String({ format: 'date' }),
  deadline_ends_at: Type.String({ format: 'date-time' }),
  missing: Type.Integer({ description: 'Cells still owed.' }),
  indicators: Type.Array(Type.String()),
  link: Type.String({ description: 'The missing cells.' }),
});

const empty = { count: 0, data: [] };

const Inbox = Type.Object(
  {
    role: Type.String(),
    agency: Type.Union([Type.String(), Type.Null()]),
    versions_to_verify: Section(VersionItem, "Walidata: submitted versions of agencies in my region or below it, other than my own agency's."),
    versions_to_publish: Section(VersionItem, 'Walidata: verified versions of agencies below my region that I did not verify.'),
    findings_to_decide: Section(FindingItem, 'Walidata: findings agencies in my region answered.'),
    findings_to_answer: Section(FindingItem, "Producer: open anomaly findings on my agency's versions under review."),
    returned_versions: Section(ReturnedItem, 'Producer: versions returned to my agency and not yet followed by a corrected push.'),
    obligations_due: Section(DueItem, 'Producer: open collection cycles, from 7 days before their deadline on, where my agency still owes data.'),
  },
  {
    title: 'Inbox',
    examples: [
      {
        role: 'producer',
        agency: 'DINSOS-6571',
        versions_to_verify: empty,
        versions_to_publish: empty,
        findings_to_decide: empty,
        findings_to_answer: {
          count: 1,
          data: [
            {
              id: '1842',
              code: 'AN_JUMP',
              severity: 'warning',
              status: 'open',
              message: { id: 'Lonjakan pada PPKS-06 · 65.71: 190 pada 2025 dibanding 43 pada 2024 …', en: 'Jump in PPKS-06 · 65.71: 190 in 2025 against 43 in 2024 …' },
              answer: null,
              dataset_id: '0b6f3f0e-3c2e-4a8e-9a59-2f0f4f7d9c11',
              version: 3,
              agency: 'DINSOS-6571',
              link: '/v1/findings/1842',
            },
          ],
        },
        returned_versions: empty,
        obligations_due: empty,
      },
    ],
  },
);

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database.db;

  app.get(
    '',
    {
      config: { access: ['producer', 'walidata'] },
      schema: {
        tags: ['Review'],
        operationId: 'getInbox',
        summary: 'What awaits me',
        description:
          "One place for an agency system or a walidata to poll. A walidata sees versions awaiting verification (its region and below, not its own agency's) or publication (below its region, not verified by itself) and findings agencies have answered. A producer sees open anomaly findings on its agency's versions under review, versions returned to it that still need a corrected push, and collection cycles whose deadline is near or past where it still owes data. Sections that do not apply to the caller's role are empty.",
        response: { 200: Inbox },
      },
    },
    async (request) => {
      const me = principalOf(request);
      const versionLink = <R extends { dataset_id: string; version: number; submitted_at: Date }>(r: R) => ({
        ...r,
        submitted_at: r.submitted_at.toISOString(),
        link: `/v1/datasets/${r.dataset_id}/versions/${r.version}`,
      });
      const findingLink = <R extends { id: string; message_id: string; message_en: string }>({ message_id, message_en, ...r }: R) => ({
        ...r,
        message: { id: message_id, en: message_en },
        link: `/v1/findings/${r.id}`,
      });
      const base = {
        role: me.role,
        agency: me.agency?.code ?? null,
        versions_to_verify: empty,
        versions_to_publish: empty,
        findings_to_decide: empty,
        findings_to_answer: empty,
        returned_versions: empty,
        obligations_due: empty,
      };
      if (me.role === 'walidata') {
        const region = jurisdictionOf(me);
        const [verify, publish, decide] = await Promise.all([versionsToVerify(db, region, me.agency?.id ?? null), versionsToPublish(db, region, me.clientId), findingsToDecide(db, region)]);
        return {
          ...base,
          versions_to_verify: { count: verify.count, data: verify.data.map(versionLink) },
          versions_to_publish: { count: publish.count, data: publish.data.map(versionLink) },
          findings_to_decide: { count: decide.count, data: decide.data.map(findingLink) },
        };
      }
      if (!me.agency) return base;
      const agencyId = me.agency.id;
      const [answer, returned, due] = await Promise.all([findingsToAnswer(db, agencyId), returnedVersions(db, agencyId), obligationsDue(db, agencyId)]);
      return {
        ...base,
        findings_to_answer: { count: answer.count, data: answer.data.map(findingLink) },
        returned_versions: { count: returned.count, data: returned.data.map((r) => ({ ...versionLink(r), returned_at: r.returned_at?.toISOString() ?? null })) },
        obligations_due: due,
      };
    },
  );
};

export default routes;
