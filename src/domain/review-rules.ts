import { isWithin } from './region-code.js';

/**
 * The verification workflow of the Satu Data cycle (pemeriksaan → penyebarluasan), tiered
 * by region: the walidata of the agency's own region (or one above it) verifies, the
 * walidata of the region above publishes, and either may return the version with a note.
 */
export const VERSION_STATUSES = ['submitted', 'rejected', 'verified', 'published', 'returned'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];

export const REVIEW_ACTIONS = ['verify', 'publish', 'return'] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

const TRANSITIONS: Record<VersionStatus, Partial<Record<ReviewAction, VersionStatus>>> = {
  submitted: { verify: 'verified', return: 'returned' },
  verified: { publish: 'published', return: 'returned' },
  // Final: a rejected or returned version is corrected by pushing a new one; a published one
  // is superseded by a newer published version.
  rejected: {},
  returned: {},
  published: {},
};

export function allowedActions(status: VersionStatus): ReviewAction[] {
  return REVIEW_ACTIONS.filter((a) => TRANSITIONS[status][a] !== undefined);
}

export function nextStatus(status: VersionStatus, action: ReviewAction): VersionStatus | undefined {
  return TRANSITIONS[status][action];
}

/**
 * Where a walidata stands relative to an agency: of the same region, of a region above it
 * (a walidata without an agency is national, above every region), or outside it.
 */
export type Tier = 'same' | 'above' | 'outside';

export function tierOf(reviewerJurisdiction: string | null, agencyJurisdiction: string): Tier {
  if (reviewerJurisdiction === null) return 'above';
  if (reviewerJurisdiction === agencyJurisdiction) return 'same';
  return isWithin(agencyJurisdiction, reviewerJurisdiction) ? 'above' : 'outside';
}

export type ReviewRefusal = 'own-push' | 'own-agency' | 'outside-region' | 'publish-needs-region-above' | 'verifier-cannot-publish';

/** The facts of a version that decide who may review it. */
export interface VersionParties {
  /** Agency owning the dataset. */
  agencyId: string;
  /** Client that pushed the version. */
  submittedBy: string;
  /** Client that verified it, when it was verified. */
  verifiedBy: string | null;
}

/** Why this walidata may not take this action on this version; null when it may. */
export function reviewRefusal(action: ReviewAction, tier: Tier, reviewer: { clientId: string; agencyId: string | null }, version: VersionParties): ReviewRefusal | null {
  // Roles can change (a client re-roled from producer to walidata): whoever pushed a version
  // never judges it, not even to return it.
  if (version.submittedBy === reviewer.clientId) return 'own-push';
  // Four eyes: a walidata bound to the producing agency may send its data back, but
  // approving it is for someone outside the agency.
  if (action !== 'return' && reviewer.agencyId === version.agencyId) return 'own-agency';
  if (tier === 'outside') return 'outside-region';
  if (action !== 'publish') return null;
  if (tier !== 'above') return 'publish-needs-region-above';
  // Two pairs of eyes: the one who verified does not also publish.
  if (version.verifiedBy === reviewer.clientId) return 'verifier-cannot-publish';
  return null;
}
