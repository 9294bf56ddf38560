export const ROLES = ['admin', 'walidata', 'producer', 'consumer'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as established from a verified token and the current client record. */
export interface Principal {
  clientId: string;
  role: Role;
  agency: { id: string; code: string; jurisdictionRegionCode: string } | null;
}

/** Who a route admits: anyone, any holder of a valid token, or only the listed roles. */
export type Access = 'public' | 'authenticated' | readonly Role[];

export const WRITERS_OF_REFERENCE: readonly Role[] = ['walidata', 'admin'];
export const ADMIN_ONLY: readonly Role[] = ['admin'];
