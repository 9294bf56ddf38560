import Type from 'typebox';
import { REVIEW_ACTIONS, VERSION_STATUSES } from '../../domain/review-rules.js';

export const ReviewResultSchema = Type.Object(
  {
    dataset_id: Type.String({ format: 'uuid' }),
    version: Type.Integer(),
    action: Type.Enum([...REVIEW_ACTIONS]),
    from_status: Type.Enum([...VERSION_STATUSES]),
    status: Type.Enum([...VERSION_STATUSES], { description: 'The status after this step.' }),
    note: Type.Union([Type.String(), Type.Null()]),
    reviewed_by: Type.String({ description: 'Client id of the walidata.' }),
    reviewed_at: Type.String({ format: 'date-time' }),
    supersedes: Type.Array(Type.Object({ version: Type.Integer(), keys: Type.Integer() }), {
      description: 'On publish: earlier published versions of this dataset and how many of their keys (indicator, region, period, breakdown) this version now supersedes. Keys it does not cover stay with the older version.',
    }),
    reconciliation: Type.Union(
      [
        Type.Object({
          keys: Type.Integer({ description: 'Keys of the version compared with the other agencies.' }),
          conflicts: Type.Integer({ description: 'Keys now in an open conflict (see GET /v1/conflicts).' }),
          changed: Type.Integer({ description: 'Reconciled figures that changed (each one an entry of the change feed).' }),
        }),
        Type.Null(),
      ],
      { description: 'On publish: what reconciliation made of the version; null for other actions.' },
    ),
  },
  {
    title: 'ReviewResult',
    examples: [
      {
        dataset_id: '0b6f3f0e-3c2e-4a8e-9a59-2f0f4f7d9c11',
        version: 3,
        action: 'publish',
        from_status: 'verified',
        status: 'published',
        note: null,
        reviewed_by: 'walidata-prov-65',
        reviewed_at: '2026-02-10T03:00:00.000Z',
        supersedes: [{ version: 1, keys: 24 }],
        reconciliation: { keys: 30, conflicts: 1, changed: 30 },
      },
    ],
  },
);

/** The answer to a publication run as a job (202): poll its link. */
export const AcceptedPublicationSchema = Type.Object(
  {
    job_id: Type.String({ format: 'uuid' }),
    status: Type.Literal('running'),
    dataset_id: Type.String({ format: 'uuid' }),
    version: Type.Integer({ description: 'The version being published.' }),
    links: Type.Object({ self: Type.String() }),
  },
  { examples: [{ job_id: '7a2e9c41-0f3b-4c8e-a1d2-5b6c7d8e9f01', status: 'running', dataset_id: '0b6f3f0e-3c2e-4a8e-9a59-2f0f4f7d9c11', version: 3, links: { self: '/v1/jobs/7a2e9c41-0f3b-4c8e-a1d2-5b6c7d8e9f01' } }] },
);
