export type Language = 'id' | 'en';

/**
 * Picks the response language from Accept-Language. Indonesian is the default; English is
 * used when the client prefers it over Indonesian (`en`, `en-US`, `en;q=0.9, id;q=0.5`).
 */
export function pickLanguage(header: string | undefined): Language {
  if (!header) return 'id';
  let best: { lang: Language; q: number } = { lang: 'id', q: -1 };
  for (const part of header.split(',')) {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.find((p) => p.trim().startsWith('q='));
    const q = qParam ? Number(qParam.trim().slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    const primary = tag.split('-')[0];
    const lang: Language | undefined = primary === 'en' ? 'en' : primary === 'id' || primary === 'in' ? 'id' : undefined;
    if (lang && q > best.q) best = { lang, q };
  }
  return best.lang;
}
