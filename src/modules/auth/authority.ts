import { AppError } from '../../http/app-error.js';
import { problem } from '../../http/route-docs.js';
import { isWithin } from '../regions/region-code.js';
import type { Principal } from './principal.js';

/**
 * The one rule of authority: a walidata acts for its agency's jurisdiction (that region and
 * every region inside it); a walidata without an agency, and every admin, is national.
 * Services ask these functions instead of reading `principal.agency` themselves, so the
 * rule cannot drift between modules.
 */

/** The region a caller's authority covers; null when it covers the whole country. */
export function jurisdictionOf(actor: Principal): string | null {
  if (actor.role === 'admin') return null;
  return actor.agency?.jurisdictionRegionCode ?? null;
}

export function isNational(actor: Principal): boolean {
  return jurisdictionOf(actor) === null;
}

/** True when `region` lies inside what the caller's authority covers. */
export function covers(actor: Principal, region: string): boolean {
  const own = jurisdictionOf(actor);
  return own === null || isWithin(region, own);
}

const NATIONAL = 'nasional';

/** The 403 of an operation bounded by jurisdiction, for its OpenAPI responses. */
export const outsideJurisdictionResponse = problem(
  "A role that may not (FORBIDDEN), or a region outside the walidata's jurisdiction (OUTSIDE_JURISDICTION, OWN_JURISDICTION_LOCKED); nothing is written.",
);

/** Refuses anyone but a national walidata or an admin; `what` names the reference data. */
export function requireNational(actor: Principal, what: string): void {
  const own = jurisdictionOf(actor);
  if (own !== null) throw new AppError('NATIONAL_AUTHORITY_REQUIRED', { what, jurisdiction: own });
}

/** Refuses a region outside the caller's jurisdiction. */
export function requireCovers(actor: Principal, region: string): void {
  if (!covers(actor, region)) throw new AppError('OUTSIDE_JURISDICTION', { region, jurisdiction: jurisdictionOf(actor) ?? NATIONAL });
}

/**
 * May the caller give an agency (now at `current`, or new when null) the jurisdiction `next`?
 * Both must lie inside the caller's own, and a regional walidata never moves its own agency's:
 * that would let it widen its own authority, or hand it away without the region above knowing.
 */
export function requireAgencyJurisdictionChange(actor: Principal, agency: { id: string; code: string; current: string | null }, next: string): void {
  if (agency.current !== null) requireCovers(actor, agency.current);
  requireCovers(actor, next);
  if (agency.current !== null && agency.current !== next && !isNational(actor) && actor.agency?.id === agency.id) {
    throw new AppError('OWN_JURISDICTION_LOCKED', { agency: agency.code });
  }
}
