import Type from 'typebox';
import { PageOf, PageQuery } from '../../http/schemas.js';
import { IndicatorCode } from '../indicators/schemas.js';
import { REGION_CODE_PATTERN } from '../../domain/region-code.js';
import { RegionCode } from '../regions/schemas.js';
import { AUTO_METHODS, DEFAULT_POLICY } from './policy.js';

export const PolicyBody = Type.Object(
  {
    tolerance: Type.Object(
      {
        absolute: Type.Number({ minimum: 0, maximum: 1e12, description: 'Values agree when they differ by at most this much.' }),
        relative: Type.Number({ minimum: 0, maximum: 1, description: 'Or by at most this fraction of the largest value (0.02 = 2 %).' }),
      },
      { additionalProperties: false },
    ),
    priority: Type.Array(Type.String({ minLength: 2, maxLength: 64 }), {
      maxItems: 30,
      uniqueItems: true,
      description: 'Agency codes or agency kinds, most trusted first (e.g. ["BPS", "DINSOS", "DISDUKCAPIL"]). The first one present among the candidates wins (method `priority`).',
    }),
    method: Type.Enum([...AUTO_METHODS], { description: 'When no listed agency reported the key: `manual` (a walidata decides), `median` or `latest` (most recently published).' }),
    requires_confirmation: Type.Boolean({ description: 'Automatic choices (priority, median, latest) wait as a proposal until a walidata confirms them.' }),
  },
  {
    additionalProperties: false,
    examples: [{ tolerance: { absolute: 0, relative: 0.01 }, priority: ['BPS', 'DINSOS', 'DISDUKCAPIL'], method: 'manual', requires_confirmation: false }],
  },
);

export const PolicyView = Type.Object(
  {
    indicator: Type.String(),
    region: Type.Union([Type.String(), Type.Null()], { description: 'The region asked about (`?region=`); null for the national policy.' }),
    policy: PolicyBody,
    scope: Type.Union([Type.Literal('region'), Type.Literal('national'), Type.Literal('default')], {
      description: 'Where the policy that applies comes from: a regional policy (of `scope_region`), the national one, or the built-in default.',
    }),
    scope_region: Type.Union([Type.String(), Type.Null()], { description: 'The region whose policy applies, when `scope` is `region`: the asked region or the nearest one containing it.' }),
    is_default: Type.Boolean({ description: 'True while no stored policy applies (the built-in default: exact agreement, manual).' }),
    updated_by: Type.Union([Type.String(), Type.Null()]),
    updated_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  {
    title: 'ReconciliationPolicy',
    examples: [
      { indicator: 'PPKS-06', region: null, policy: DEFAULT_POLICY, scope: 'default', scope_region: null, is_default: true, updated_by: null, updated_at: null },
      {
        indicator: 'IKS-12',
        region: '33.73',
        policy: { tolerance: { absolute: 0, relative: 0.01 }, priority: ['BPS', 'DINSOS'], method: 'manual', requires_confirmation: false },
        scope: 'region',
        scope_region: '33',
        is_default: false,
        updated_by: 'sde-walidata-jateng',
        updated_at: '2026-02-10T03:00:00.000Z',
      },
    ],
  },
);

export const PolicyScopeQuery = Type.Object(
  {
    region: Type.Optional({
      ...RegionCode,
      description: 'A region (Kemendagri code): its own policy, overriding the national one for keys inside it. Without it, the national policy.',
    }),
  },
  { additionalProperties: false },
);

export const RegionalPolicyQuery = Type.Object(
  { region: { ...RegionCode, description: 'The region whose own policy is removed; its keys fall back to the policy of the region above, the national one, or the default.' } },
  { additionalProperties: false },
);

export const CandidateSchema = Type.Object({
  agency: Type.String(),
  agency_kind: Type.String(),
  dataset_id: Type.String({ format: 'uuid' }),
  version: Type.Integer(),
  value: Type.String({ description: 'Decimal text as published.' }),
  obs_status: Type.String(),
  note: Type.Union([Type.String(), Type.Null()]),
  published_at: Type.String({ format: 'date-time' }),
}, { title: 'Candidate' });

const candidateExample = (agency: string, kind: string, value: string) => ({
  agency,
  agency_kind: kind,
  dataset_id: '0b6f3f0e-3c2e-4a8e-9a59-2f0f4f7d9c11',
  version: 2,
  value,
  obs_status: 'A',
  note: null,
  published_at: '2026-02-10T03:00:00.000Z',
});

const Decision = Type.Object({
  method: Type.String({ description: 'priority, median, latest, agreement, single-source or manual.' }),
  value: Type.String(),
  source: Type.Union([CandidateSchema, Type.Null()], { description: 'The chosen agency figure; null for a median or an adjudicated value.' }),
  rationale: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  automatic: Type.Boolean({ description: 'True when the policy decided, false when a walidata did.' }),
});

const conflictExample = {
  id: '12',
  indicator: 'PPKS-06',
  region: '65.71',
  period: '2025',
  disaggregation: {},
  status: 'resolved',
  candidates: [candidateExample('DINSOS-6571', 'DINSOS', '128'), candidateExample('DP3AP2KB-6571', 'DP3AP2KB', '141')],
  proposal: null,
  resolution: { method: 'manual', value: '141', source: candidateExample('DP3AP2KB-6571', 'DP3AP2KB', '141'), rationale: 'Notulen rapat rekonsiliasi 17 Feb 2026: data P2TP2A lebih lengkap.', automatic: false },
  resolved_by: 'walidata-prov-65',
  resolved_at: '2026-02-17T04:00:00.000Z',
  opened_at: '2026-02-10T03:00:00.000Z',
};

export const ConflictSchema = Type.Object(
  {
    id: Type.String(),
    indicator: Type.String(),
    region: Type.String(),
    period: Type.String(),
    disaggregation: Type.Record(Type.String(), Type.String()),
    status: Type.Enum(['open', 'resolved']),
    candidates: Type.Array(CandidateSchema, { description: "Every agency's latest published figure for the key." }),
    proposal: Type.Union([Type.Object({ method: Type.String(), value: Type.String(), source: Type.Union([CandidateSchema, Type.Null()]) }), Type.Null()], {
      description: "The policy's automatic choice awaiting a walidata's confirmation, if the policy asks for one.",
    }),
    resolution: Type.Union([Decision, Type.Null()]),
    resolved_by: Type.Union([Type.String(), Type.Null()]),
    resolved_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    opened_at: Type.String({ format: 'date-time' }),
  },
  { title: 'Conflict', examples: [conflictExample] },
);

export const ConflictDetail = Type.Object(
  {
    ...ConflictSchema.properties,
    findings: Type.Array(
      Type.Object({ id: Type.String(), agency: Type.String(), version: Type.Integer(), code: Type.String(), severity: Type.String(), status: Type.String(), message: Type.Object({ id: Type.String(), en: Type.String() }) }),
      { description: 'Anomaly findings on the candidates (the same key in their versions).' },
    ),
  },
  { title: 'ConflictDetail', examples: [{ ...conflictExample, findings: [] }] },
);

export const ConflictPage = PageOf(ConflictSchema, 'Conflicts, oldest first.', [{ data: [conflictExample], page: { next_cursor: null, limit: 100 } }], 'ConflictPage');

export const ConflictQuery = Type.Object(
  {
    status: Type.Optional(Type.Enum(['open', 'resolved'])),
    indicator: Type.Optional(IndicatorCode),
    region: Type.Optional(Type.String({ pattern: REGION_CODE_PATTERN, description: 'The region or anything inside it.' })),
    period: Type.Optional(Type.String({ maxLength: 10 })),
    agency: Type.Optional(Type.String({ maxLength: 64, description: 'Conflicts in which this agency is a candidate.' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const ConflictParams = Type.Object({ id: Type.String({ pattern: '^\\d{1,18}$', description: 'Conflict id.' }) });

export const ResolveConflictBody = Type.Object(
  {
    agency: Type.Optional(Type.String({ maxLength: 64, description: "Choose this candidate agency's figure." })),
    value: Type.Optional(Type.Number({ minimum: -1e15, maximum: 1e15, description: 'Or an adjudicated value (needs `rationale`).' })),
    rationale: Type.Optional(Type.String({ maxLength: 4000, description: 'Why (e.g. the minutes of the reconciliation meeting); required with `value`.' })),
    reopen: Type.Optional(Type.Boolean({ description: 'Decide again on a conflict already resolved (otherwise 409).' })),
  },
  {
    additionalProperties: false,
    examples: [{ agency: 'DP3AP2KB-6571', rationale: 'Data P2TP2A lebih lengkap.' }, { value: 135, rationale: 'Notulen rapat rekonsiliasi 17 Feb 2026, butir 3.' }],
  },
);

export const ReopenBody = Type.Object(
  { rationale: Type.String({ minLength: 3, maxLength: 4000, description: 'Why the decision is taken back.' }) },
  { additionalProperties: false, examples: [{ rationale: 'BPS merevisi angka kemiskinan 2025.' }] },
);
