export const ROLES = ['admin', 'walidata', 'producer', 'consumer'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as established from a verified token and the current client record. */
export interface Principal {
  clientId: string;
  role: Role;
  agency: { id: string; code: string; jurisdictionRegionCode: string } | null;
}

/**
 * Who a route admits: anyone, any holder of a valid token, only the listed roles, or the
 * listed roles with national authority (a walidata without an agency, or an admin).
 */
export type Access = 'public' | 'authenticated' | readonly Role[] | NationalAccess;

export interface NationalAccess {
  national: readonly Role[];
  /** What the route changes, named in the refusal. */
  what: string;
}

export const WRITERS_OF_REFERENCE: readonly Role[] = ['walidata', 'admin'];
export const ADMIN_ONLY: readonly Role[] = ['admin'];

/** National reference data (catalogue, quality rules, IKESOS methods…): national walidata and admins. */
export const nationalWriters = (what: string): NationalAccess => ({ national: WRITERS_OF_REFERENCE, what });

/** The roles an access admits, or null when it admits any caller (public or any token). */
export function rolesOf(access: Access): readonly Role[] | null {
  if (access === 'public' || access === 'authenticated') return null;
  return 'national' in access ? access.national : access;
}
