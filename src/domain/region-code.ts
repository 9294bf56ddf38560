/**
 * Kemendagri region codes (Permendagri 58/2021): `65` provinsi, `65.01` kab/kota,
 * `65.01.01` kecamatan, `65.01.01.2001` desa/kelurahan. Codes are text, never numbers.
 */
export const REGION_CODE_PATTERN = '^\\d{2}(\\.\\d{2}(\\.\\d{2}(\\.\\d{4})?)?)?$';
const REGION_CODE = new RegExp(REGION_CODE_PATTERN);

export const REGION_LEVELS = ['provinsi', 'kabkota', 'kecamatan', 'desa'] as const;
export type RegionLevel = (typeof REGION_LEVELS)[number];

export function levelName(level: number): RegionLevel {
  const name = REGION_LEVELS[level - 1];
  if (!name) throw new RangeError(`Region level ${level} out of range`);
  return name;
}

export function levelNumber(name: RegionLevel): number {
  return REGION_LEVELS.indexOf(name) + 1;
}

export type Bilingual = { id: string; en: string };

/** Null when the code is well-formed; otherwise why not, in words a spreadsheet user understands. */
export function explainMalformedRegionCode(code: string): Bilingual | null {
  if (REGION_CODE.test(code)) return null;
  if (code.trim() === '') return { id: 'kode kosong.', en: 'the code is empty.' };
  if (code !== code.trim()) return { id: 'ada spasi di awal atau akhir kode.', en: 'the code has leading or trailing spaces.' };
  if (/[^\d.]/.test(code)) {
    return { id: 'kode hanya boleh berisi angka dan titik.', en: 'a code may contain only digits and dots.' };
  }
  const segments = code.split('.');
  if (segments.length > 4) return { id: 'kode paling banyak empat segmen.', en: 'a code has at most four segments.' };
  const expected = [2, 2, 2, 4];
  for (const [i, segment] of segments.entries()) {
    const want = expected[i]!;
    if (segment.length === want) continue;
    if (segment === '') return { id: 'ada segmen kosong (titik ganda atau titik di ujung).', en: 'a segment is empty (double or trailing dot).' };
    if (segment.length < want) {
      return {
        id: `segmen ke-${i + 1} "${segment}" harus ${want} digit; nilai seperti 11.1 biasanya berasal dari spreadsheet yang mengubah 11.10 menjadi angka — perbaiki sumbernya, kode tidak ditebak.`,
        en: `segment ${i + 1} "${segment}" must have ${want} digits; a value like 11.1 usually comes from a spreadsheet that turned 11.10 into a number — fix the source, codes are never guessed.`,
      };
    }
    return { id: `segmen ke-${i + 1} "${segment}" harus ${want} digit.`, en: `segment ${i + 1} "${segment}" must have ${want} digits.` };
  }
  return { id: 'format tidak dikenali.', en: 'unrecognised format.' };
}

/** The parent code: the code with its last segment removed, or null for a provinsi. */
export function parentCode(code: string): string | null {
  const cut = code.lastIndexOf('.');
  return cut === -1 ? null : code.slice(0, cut);
}

/** Every ancestor, nearest first: `65.71.01` → [`65.71`, `65`]. */
export function ancestorCodes(code: string): string[] {
  const out: string[] = [];
  for (let p = parentCode(code); p !== null; p = parentCode(p)) out.push(p);
  return out;
}

/** True when `code` is `ancestor` itself or lies inside it. */
export function isWithin(code: string, ancestor: string): boolean {
  return code === ancestor || code.startsWith(`${ancestor}.`);
}
