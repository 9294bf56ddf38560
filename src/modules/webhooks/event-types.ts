import type { Role } from '../../domain/principal.js';

/**
 * What a subscription can ask for, and who may ask. Figures and their conflicts are data every
 * reader of the pull API may follow (consumers with their own visibility, and no conflicts:
 * those name agencies' candidate values); an agency's workflow (its versions, findings and
 * deadlines) is for its own producers, the walidata whose jurisdiction covers it, and admins.
 */
export const EVENT_TYPES = [
  'figure.changed',
  'conflict.opened',
  'conflict.resolved',
  'version.returned',
  'version.verified',
  'version.published',
  'finding.awaiting_answer',
  'deadline.reminder',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const WHO_MAY: Record<EventType, readonly Role[]> = {
  'figure.changed': ['consumer', 'producer', 'walidata', 'admin'],
  'conflict.opened': ['producer', 'walidata', 'admin'],
  'conflict.resolved': ['producer', 'walidata', 'admin'],
  'version.returned': ['producer', 'walidata', 'admin'],
  'version.verified': ['producer', 'walidata', 'admin'],
  'version.published': ['producer', 'walidata', 'admin'],
  'finding.awaiting_answer': ['producer', 'walidata', 'admin'],
  'deadline.reminder': ['producer', 'walidata', 'admin'],
};

/** Event types of an agency's own workflow: a producer gets its agency's, a walidata its jurisdiction's. */
export const AGENCY_EVENTS: readonly EventType[] = ['version.returned', 'version.verified', 'version.published', 'finding.awaiting_answer', 'deadline.reminder'];

/** The requested types this role may not subscribe to. */
export function forbiddenTypes(role: Role, types: readonly EventType[]): EventType[] {
  return types.filter((t) => !WHO_MAY[t].includes(role));
}

/** A review step recorded in the audit log, as the event it announces. */
export function reviewEventType(action: string): EventType | null {
  switch (action) {
    case 'dataset.version-returned':
      return 'version.returned';
    case 'dataset.version-verified':
      return 'version.verified';
    case 'dataset.version-published':
      return 'version.published';
    default:
      return null;
  }
}

/** Whether a deadline reminder is the one before the deadline or the one after it. */
export function deadlineStage(deadlineEndsAt: Date, now: Date): 'due_soon' | 'overdue' {
  return now.getTime() >= deadlineEndsAt.getTime() ? 'overdue' : 'due_soon';
}
