import { explainMalformedRegionCode, isWithin, levelName } from '../../domain/region-code.js';
import type { ValidationContext } from './context.js';
import { FindingList, fieldText, quote } from '../../domain/finding-builder.js';
import type { Bilingual, Finding, RawObservation } from '../../domain/finding.js';

/**
 * Kode Referensi checks: an observation names its region by the Kemendagri code, as text,
 * and the code is reported — never repaired — when a spreadsheet has mangled it.
 */

const FORMS: Bilingual = {
  id: 'Bentuk baku: 65 (provinsi), 65.71 (kab/kota), 65.71.01 (kecamatan), 65.71.01.2001 (desa/kelurahan).',
  en: 'Canonical forms: 65 (province), 65.71 (regency/city), 65.71.01 (district), 65.71.01.2001 (village).',
};
// Digit counts of a whole code written without its dots, and where the dots would go.
const UNDOTTED: ReadonlyMap<number, number[]> = new Map([
  [4, [2]],
  [6, [2, 4]],
  [10, [2, 4, 6]],
]);

function withDots(digits: string): string | undefined {
  const cuts = UNDOTTED.get(digits.length);
  if (!cuts) return undefined;
  const parts: string[] = [];
  let from = 0;
  for (const cut of [...cuts, digits.length]) {
    parts.push(digits.slice(from, cut));
    from = cut;
  }
  return parts.join('.');
}

function join(...parts: Bilingual[]): Bilingual {
  return { id: parts.map((p) => p.id).join(' '), en: parts.map((p) => p.en).join(' ') };
}

function capitalised(reason: Bilingual): Bilingual {
  const up = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return { id: up(reason.id), en: up(reason.en) };
}

/** Why a region value is not a usable code, in words for the operator; null when it is one. */
function malformedHint(value: unknown): Bilingual | null {
  if (typeof value === 'number') {
    const text = String(value);
    const dotted = Number.isInteger(value) ? withDots(text) : undefined;
    return join(
      {
        id: `Kode wilayah adalah teks, bukan angka: kirim sebagai string JSON, misalnya "65.10". Angka ${text} bisa berasal dari kode yang kehilangan nol di belakang (11.10 menjadi 11.1) atau titiknya; kode tidak diperbaiki otomatis.`,
        en: `Region codes are text, not numbers: send a JSON string such as "65.10". The number ${text} may come from a code that lost a trailing zero (11.10 became 11.1) or its dots; codes are never repaired.`,
      },
      dotted ? { id: `Mungkin maksudnya "${dotted}"?`, en: `Perhaps "${dotted}" was meant?` } : FORMS,
    );
  }
  if (typeof value !== 'string') {
    return join({ id: 'Kode wilayah harus berupa teks.', en: 'A region code must be text.' }, FORMS);
  }
  const reason = explainMalformedRegionCode(value);
  if (reason === null) return null;
  if (/^\d+$/.test(value) && value.length > 2) {
    const dotted = withDots(value);
    return join(
      {
        id: `Titik pemisah segmen hilang${dotted ? ` — mungkin maksudnya "${dotted}"` : ''}; biasanya sel diformat sebagai angka. Format kolom sebagai teks dan tulis kode lengkap dengan titik; kode tidak ditebak.`,
        en: `The dots between segments are missing${dotted ? ` — perhaps "${dotted}" was meant` : ''}; usually the cell was formatted as a number. Format the column as text and write the code with its dots; codes are never guessed.`,
      },
      FORMS,
    );
  }
  return join(capitalised(reason), FORMS);
}

/** Kode Referensi findings of one raw observation (column `region`). */
export function checkRegion(raw: RawObservation, ctx: ValidationContext): Finding[] {
  const list = new FindingList(raw, 'kode-referensi');
  const value = raw.region;
  const hint = malformedHint(value ?? '');
  if (hint !== null || typeof value !== 'string') {
    const empty = (fieldText(value) ?? '').trim() === '';
    list.add({
      code: 'KR_REGION_MALFORMED',
      severity: 'error',
      column: 'region',
      value,
      message: empty
        ? { id: 'Kode wilayah kosong.', en: 'The region code is empty.' }
        : {
            id: `Kode wilayah ${quote(value)} tidak sesuai format kode Kemendagri.`,
            en: `Region code ${quote(value)} is not in Kemendagri form.`,
          },
      hint: hint ?? FORMS,
    });
    return list.findings;
  }

  const region = ctx.regions.get(value);
  if (!region) {
    list.add({
      code: 'KR_REGION_UNKNOWN',
      severity: 'error',
      column: 'region',
      value,
      message: {
        id: `Kode wilayah "${value}" tidak ada dalam daftar wilayah Kemendagri.`,
        en: `Region code "${value}" is not in the Kemendagri region list.`,
      },
      hint: {
        id: 'Periksa kode pada daftar wilayah (GET /v1/regions); kode yang sudah dihapus atau dimekarkan tidak dapat dipakai.',
        en: 'Look the code up in the region list (GET /v1/regions); codes that were retired or split cannot be used.',
      },
    });
    return list.findings;
  }

  if (ctx.jurisdiction !== null && !isWithin(value, ctx.jurisdiction)) {
    list.add({
      code: 'KR_REGION_OUTSIDE_JURISDICTION',
      severity: 'error',
      column: 'region',
      value,
      message: {
        id: `Wilayah ${value} berada di luar wilayah kewenangan instansi Anda (${ctx.jurisdiction}).`,
        en: `Region ${value} lies outside your agency's jurisdiction (${ctx.jurisdiction}).`,
      },
      hint: {
        id: `Kirim hanya data wilayah ${ctx.jurisdiction} dan wilayah di bawahnya; data wilayah lain dikirim oleh instansi yang berwenang di sana.`,
        en: `Send only figures for ${ctx.jurisdiction} and the regions inside it; other regions' figures come from the agencies responsible there.`,
      },
    });
  }

  if (ctx.estimationLevels.size > 0 && !ctx.estimationLevels.has(region.level)) {
    const declared = [...ctx.estimationLevels].sort((a, b) => a - b).map(levelLabel).join(', ');
    list.add({
      code: 'KR_REGION_LEVEL',
      severity: 'warning',
      column: 'region',
      value,
      message: {
        id: `Wilayah ${value} berada pada tingkat ${levelLabel(region.level)}, padahal metadata dataset menyebut level estimasi: ${declared}.`,
        en: `Region ${value} is at level ${levelLabel(region.level)}, but the dataset metadata declares estimation levels: ${declared}.`,
      },
      hint: {
        id: 'Tambahkan tingkat ini ke estimation_levels pada metadata dataset, atau hapus baris ini bila angkanya tidak dihitung pada tingkat tersebut.',
        en: 'Add this level to estimation_levels in the dataset metadata, or remove the row if the figure is not estimated at that level.',
      },
    });
  }
  return list.findings;
}

function levelLabel(level: number): string {
  try {
    return levelName(level);
  } catch {
    return String(level);
  }
}
