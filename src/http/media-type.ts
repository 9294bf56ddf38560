/**
 * Content negotiation (RFC 9110 §12.5.1): the offered media type the Accept header prefers,
 * or null when it accepts none of them. No header, or an empty one, accepts anything, and the
 * first offer wins ties, so the order of `offers` is the service's own preference.
 */
export function preferredMediaType(accept: string | undefined, offers: readonly string[]): string | null {
  if (accept === undefined || accept.trim() === '') return offers[0] ?? null;
  const ranges = accept.split(',').flatMap((part) => {
    const [range = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const [type, subtype] = range.split('/');
    if (!type || !subtype) return [];
    const q = params.find((p) => p.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    return Number.isFinite(quality) ? [{ type, subtype, quality }] : [];
  });
  let best: { offer: string; quality: number } | null = null;
  for (const offer of offers) {
    const [type, subtype] = offer.toLowerCase().split('/');
    // The most specific range that matches an offer decides its quality (`text/turtle;q=0`
    // refuses Turtle even beside `*/*`).
    const matching = ranges
      .filter((r) => (r.type === '*' || r.type === type) && (r.subtype === '*' || r.subtype === subtype))
      .sort((a, b) => specificity(b) - specificity(a));
    const quality = matching[0]?.quality ?? 0;
    if (quality > 0 && (best === null || quality > best.quality)) best = { offer, quality };
  }
  return best?.offer ?? null;
}

function specificity(range: { type: string; subtype: string }): number {
  return (range.type === '*' ? 0 : 2) + (range.subtype === '*' ? 0 : 1);
}
