import type { FastifyRequest } from 'fastify';
import { AppError } from './app-error.js';

/*
 * Which representation a route sends (RFC 9110 §12.5.1). Whether a route can answer an
 * Accept header at all is decided for every route by plugins/content-negotiation.ts (with the
 * `negotiator` library); this picks among a route's own offers, which that library cannot:
 * an offer has aliases (SDMX-CSV is also `text/csv`), a `version=` parameter that makes
 * another version another format, and ties go to the service's own order.
 */

/** A media type the service can produce, with the Accept forms that ask for it. */
export interface Offer<F extends string> {
  format: F;
  /** The exact type sent back, parameters included. */
  type: string;
  /** Other types that mean the same (`text/csv` for SDMX-CSV), without parameters. */
  aliases?: readonly string[];
}

interface Range {
  type: string;
  params: Record<string, string>;
  q: number;
}

function parseAccept(accept: string): Range[] {
  return accept
    .split(',')
    .map((part) => {
      const [type = '', ...rest] = part.split(';').map((s) => s.trim());
      const params: Record<string, string> = {};
      for (const p of rest) {
        const eq = p.indexOf('=');
        if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
      }
      const q = params.q === undefined ? 1 : Number(params.q);
      delete params.q;
      return { type: type.toLowerCase(), params, q: Number.isFinite(q) ? q : 0 };
    })
    .filter((r) => r.type.includes('/'));
}

// How specifically a range names an offer: 0 not at all, 1 any type, 2 `type/` with a wildcard, 3 the type itself.
function specificity(range: Range, offer: Offer<string>): number {
  const [base, ...params] = offer.type.split(';');
  const type = base!.trim().toLowerCase();
  if (range.type === '*/*') return 1;
  if ([type, ...(offer.aliases ?? [])].some((t) => range.type === `${t.split('/')[0]}/*`)) return 2;
  if (offer.aliases?.includes(range.type)) return 3;
  if (range.type !== type) return 0;
  // SDMX media types carry the version of the format: asking for another version is asking for another format.
  const version = params.map((p) => p.trim().split('=')).find(([k]) => k === 'version')?.[1];
  return range.params.version === undefined || range.params.version === version ? 3 : 0;
}

/** The q the most specific range naming the offer gives it (`application/json;q=0, *\/*` refuses JSON). */
function quality(ranges: readonly Range[], offer: Offer<string>): number {
  let best = { specificity: 0, q: 0 };
  for (const r of ranges) {
    const s = specificity(r, offer);
    if (s > best.specificity || (s === best.specificity && s > 0 && r.q > best.q)) best = { specificity: s, q: r.q };
  }
  return best.q;
}

/**
 * The offer an Accept header prefers (RFC 9110: highest q, then the service's order), the
 * first offer when no header is sent, or undefined when nothing acceptable can be produced.
 */
export function negotiate<F extends string>(accept: string | undefined, offers: readonly Offer<F>[]): Offer<F> | undefined {
  if (!accept || !accept.trim()) return offers[0];
  const ranges = parseAccept(accept);
  let best: { offer: Offer<F>; q: number } | undefined;
  for (const offer of offers) {
    const q = quality(ranges, offer);
    if (q > 0 && (!best || q > best.q)) best = { offer, q };
  }
  return best?.offer;
}

/** The offer the request's Accept prefers; 406 problem+json when it names none of them. */
export function chosenOffer<F extends string>(request: FastifyRequest, offers: readonly Offer<F>[]): Offer<F> {
  const offer = negotiate(request.headers.accept, offers);
  if (!offer) throw new AppError('NOT_ACCEPTABLE', { accept: (request.headers.accept ?? '').slice(0, 200), produces: offers.map((o) => o.type).join(', ') });
  return offer;
}
