import { isWithin } from './region-code.js';
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
