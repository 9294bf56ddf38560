import Type from 'typebox';

export const auditExample = {
  id: '42',
  at: '2026-01-05T02:00:00.000Z',
  actor_id: 'sde-walidata-0a1b2c3d4e5f6071',
  actor_role: 'walidata',
  actor_agency: 'DISKOMINFO-6571',
  action: 'indicator.updated',
  entity_type: 'indicator',
  entity_id: 'PPKS-06',
  before: { valid_max: null },
  after: { valid_max: 5000 },
  request_id: '8f0c2c1e-6c1b-4a43-9f7e-0d6a3c9b1f20',
};

export const AuditEntry = Type.Object({
  id: Type.String({ description: 'Monotonic sequence number (as text: it may exceed 2^53).' }),
  at: Type.String({ format: 'date-time' }),
  actor_id: Type.Union([Type.String(), Type.Null()]),
  actor_role: Type.Union([Type.String(), Type.Null()]),
  actor_agency: Type.Union([Type.String(), Type.Null()]),
  action: Type.String({ description: 'What happened, e.g. indicator.updated, agency.created, client.disabled.' }),
  entity_type: Type.String(),
  entity_id: Type.String(),
  before: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  after: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  request_id: Type.Union([Type.String(), Type.Null()]),
}, { title: 'AuditEntry' });

export function presentAudit<R extends { at: Date }>(row: R) {
  return { ...row, at: row.at.toISOString() };
}
