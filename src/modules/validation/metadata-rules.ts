import { REGION_LEVELS, type RegionLevel } from '../../domain/region-code.js';
import { containsNik, makeFinding, quote, type FindingSpec } from '../../domain/finding-builder.js';
import type { Bilingual, Finding } from '../../domain/finding.js';
import { periodKind } from './standar-data-rules.js';

/**
 * Metadata checks on a dataset (Satu Data principle 2): the fields a city's regulation
 * requires are filled with something real, the steward can be reached, and a composite
 * indicator comes with what it is built from.
 */

export const UPDATE_SCHEDULES = ['tahunan', 'semesteran', 'triwulanan', 'bulanan', 'insidental'] as const;
export const ACCESS_CLASSIFICATIONS = ['terbuka', 'terbatas', 'tertutup'] as const;

/**
 * Dataset metadata as pushed. Every field may be missing or of the wrong type — the rules
 * report that rather than the parser refusing it — and unknown fields are carried along.
 */
export interface DatasetMetadataInput {
  title?: string;
  description?: string;
  indicators?: string[];
  reference_periods?: string[];
  update_schedule?: (typeof UPDATE_SCHEDULES)[number];
  primary_source?: string;
  responsible_institution?: string;
  steward_name?: string;
  steward_contact?: string;
  access_classification?: (typeof ACCESS_CLASSIFICATIONS)[number];
  estimation_levels?: RegionLevel[];
  notes?: string;
  [other: string]: unknown;
}

export interface CompositeCatalogue {
  isComposite(code: string): boolean;
  buildingBlocks(code: string): string[];
}

export interface MetadataCompleteness {
  /** 0–100: required fields weigh two thirds, recommended fields one third. */
  score: number;
  required: { present: number; total: number };
  recommended: { present: number; total: number };
  /** Required and recommended fields that are absent or not usable, in field order. */
  missing: string[];
}

export interface MetadataResult {
  findings: Finding[];
  completeness: MetadataCompleteness;
}

/** `references`: a list of sources, each an object with a title (`judul`). */
type FieldKind = 'text' | 'list' | 'choice' | 'references';

interface FieldSpec {
  field: string;
  kind: FieldKind;
  label: Bilingual;
  choices?: readonly string[];
}

const REQUIRED: readonly FieldSpec[] = [
  { field: 'title', kind: 'text', label: { id: 'judul dataset', en: 'dataset title' } },
  { field: 'indicators', kind: 'list', label: { id: 'daftar indikator', en: 'list of indicators' } },
  { field: 'reference_periods', kind: 'list', label: { id: 'periode rujukan', en: 'reference periods' } },
  { field: 'update_schedule', kind: 'choice', label: { id: 'jadwal pemutakhiran', en: 'update schedule' }, choices: UPDATE_SCHEDULES },
  { field: 'primary_source', kind: 'text', label: { id: 'sumber data primer', en: 'primary source' } },
  { field: 'responsible_institution', kind: 'text', label: { id: 'instansi penanggung jawab', en: 'responsible institution' } },
  { field: 'steward_name', kind: 'text', label: { id: 'nama pengelola data', en: 'data steward name' } },
  { field: 'steward_contact', kind: 'text', label: { id: 'kontak pengelola data', en: 'data steward contact' } },
  {
    field: 'access_classification',
    kind: 'choice',
    label: { id: 'klasifikasi akses', en: 'access classification' },
    choices: ACCESS_CLASSIFICATIONS,
  },
];

const RECOMMENDED: readonly FieldSpec[] = [
  { field: 'description', kind: 'text', label: { id: 'deskripsi', en: 'description' } },
  { field: 'notes', kind: 'text', label: { id: 'catatan', en: 'notes' } },
  { field: 'estimation_levels', kind: 'list', label: { id: 'level estimasi', en: 'estimation levels' }, choices: REGION_LEVELS },
];

// Compared after trimming, lower-casing and collapsing spaces.
const PLACEHOLDERS: ReadonlySet<string> = new Set([
  '-',
  '–',
  '—',
  'n/a',
  'na',
  'n.a.',
  'tidak ada',
  'belum ada',
  'xxx',
  'tbd',
  'todo',
  '…',
  '...',
  'null',
  'none',
  'undefined',
  'lorem ipsum',
]);

/** True for text that fills a field without saying anything: "-", "n/a", "xxx", "aaaa", "lorem ipsum …". */
export function isPlaceholder(text: string): boolean {
  const t = text.trim().replace(/\s+/g, ' ').toLowerCase();
  const chars = [...t];
  return PLACEHOLDERS.has(t) || t.startsWith('lorem ipsum') || chars.length < 3 || chars.every((c) => c === chars[0]);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]{2,}$/;
const PHONE = /^(?:\+62|62|0)\d+$/;

/** An e-mail address, or an Indonesian phone number (+62 / 62 / 0, 8–15 digits, spaces and dashes allowed). */
export function isStewardContact(text: string): boolean {
  const t = text.trim();
  if (EMAIL.test(t)) return true;
  const compact = t.replace(/[\s-]/g, '');
  const digits = compact.replace(/^\+/, '').length;
  return PHONE.test(compact) && digits >= 8 && digits <= 15;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);
}

function pointerOf(field: string, index?: number): string {
  return index === undefined ? `/metadata/${field}` : `/metadata/${field}/${index}`;
}

/** RFC 6901: `~` and `/` inside a key are written `~0` and `~1`. */
function escapeKey(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Where a NIK-like value sits inside a metadata value (any string, however nested), or undefined. */
function nikAt(value: unknown, pointer: string): { pointer: string; text: string } | undefined {
  if (typeof value === 'string') return containsNik(value) ? { pointer, text: value } : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = nikAt(item, `${pointer}/${escapeKey(key)}`);
    if (found) return found;
  }
  return undefined;
}

class MetadataChecker {
  readonly findings: Finding[] = [];
  /** Fields holding a personal number: reported once, and judged no further. */
  private readonly personal = new Set<string>();

  constructor(
    private readonly meta: Record<string, unknown>,
    private readonly missingHint: Bilingual,
  ) {}

  add(field: string, index: number | undefined, spec: FindingSpec): void {
    this.findings.push(makeFinding({ pointer: pointerOf(field, index) }, 'metadata', { column: field, ...spec }));
  }

  /** Every field, known or not: metadata is published with the data, so it must not carry a NIK. */
  personalNumbers(): void {
    for (const [field, value] of Object.entries(this.meta)) {
      const found = nikAt(value, pointerOf(escapeKey(field)));
      if (!found) continue;
      this.personal.add(field);
      this.findings.push(
        makeFinding({ pointer: found.pointer }, 'metadata', {
          code: 'MD_NIK_FORBIDDEN',
          severity: 'error',
          column: field,
          value: found.text,
          message: {
            id: `Metadata "${field}" berisi angka 16 digit (dengan atau tanpa pemisah) yang bentuknya seperti NIK.`,
            en: `Metadata "${field}" holds a 16-digit number (with or without separators) that looks like a NIK (national identity number).`,
          },
          hint: {
            id: 'Metadata dataset terbuka untuk pengguna data; NIK dan data perorangan lain tidak boleh dicantumkan. Hapus nilai ini.',
            en: 'Dataset metadata is shown to data users; NIK and other personal data must never be written into it. Remove the value.',
          },
        }),
      );
    }
  }

  /** Checks one field; true when it is present and usable. */
  check(spec: FieldSpec, required: boolean): boolean {
    const value = this.meta[spec.field];
    if (this.personal.has(spec.field)) return false;
    if (isEmpty(value)) {
      if (required) this.missing(spec, value);
      return false;
    }
    if (spec.kind === 'text') return this.text(spec, value, required);
    if (spec.kind === 'choice') return this.choice(spec, value);
    return this.list(spec, value);
  }

  private missing(spec: FieldSpec, value: unknown): void {
    this.add(spec.field, undefined, {
      code: 'MD_REQUIRED_MISSING',
      severity: 'error',
      value,
      message: {
        id: `Metadata wajib "${spec.field}" (${spec.label.id}) belum diisi.`,
        en: `Required metadata "${spec.field}" (${spec.label.en}) is missing.`,
      },
      hint: this.missingHint,
    });
  }

  private invalid(field: string, index: number | undefined, value: unknown, message: Bilingual, hint: Bilingual): void {
    this.add(field, index, { code: 'MD_VALUE_INVALID', severity: 'error', value, message, hint });
  }

  private text(spec: FieldSpec, value: unknown, required: boolean): boolean {
    if (typeof value !== 'string') {
      this.invalid(
        spec.field,
        undefined,
        value,
        { id: `Metadata "${spec.field}" harus berupa teks.`, en: `Metadata "${spec.field}" must be text.` },
        { id: `Isi ${spec.label.id} sebagai teks.`, en: `Fill in the ${spec.label.en} as text.` },
      );
      return false;
    }
    if (isPlaceholder(value)) {
      // An optional field filled with "-" costs completeness, but is not worth an error.
      if (required) {
        this.add(spec.field, undefined, {
          code: 'MD_PLACEHOLDER',
          severity: 'error',
          value,
          message: {
            id: `Metadata wajib "${spec.field}" (${spec.label.id}) hanya berisi pengisi ${quote(value)}.`,
            en: `Required metadata "${spec.field}" (${spec.label.en}) holds only the placeholder ${quote(value)}.`,
          },
          hint: {
            id: `Isi ${spec.label.id} yang sebenarnya; tanda "-", "n/a", "xxx" atau teks contoh tidak dihitung sebagai isi.`,
            en: `Fill in the actual ${spec.label.en}; "-", "n/a", "xxx" or sample text do not count as content.`,
          },
        });
      }
      return false;
    }
    if (spec.field === 'steward_contact' && !isStewardContact(value)) {
      this.add(spec.field, undefined, {
        code: 'MD_CONTACT_INVALID',
        severity: 'error',
        value,
        message: {
          id: `Kontak pengelola data ${quote(value)} bukan alamat e-mail atau nomor telepon Indonesia.`,
          en: `Steward contact ${quote(value)} is neither an e-mail address nor an Indonesian phone number.`,
        },
        hint: {
          id: 'Tulis satu alamat e-mail (nama@instansi.go.id) atau satu nomor telepon berawalan +62, 62, atau 0 (8–15 digit; spasi dan tanda hubung boleh).',
          en: 'Write one e-mail address (name@agency.go.id) or one phone number starting with +62, 62 or 0 (8–15 digits; spaces and dashes allowed).',
        },
      });
      return false;
    }
    return true;
  }

  private choice(spec: FieldSpec, value: unknown): boolean {
    const choices = spec.choices ?? [];
    if (typeof value === 'string' && choices.includes(value)) return true;
    this.invalid(
      spec.field,
      undefined,
      value,
      {
        id: `Metadata "${spec.field}" bernilai ${quote(value)}, bukan salah satu pilihan yang sah.`,
        en: `Metadata "${spec.field}" is ${quote(value)}, not one of the allowed choices.`,
      },
      { id: `Gunakan salah satu: ${choices.join(', ')}.`, en: `Use one of: ${choices.join(', ')}.` },
    );
    return false;
  }

  private list(spec: FieldSpec, value: unknown): boolean {
    if (!Array.isArray(value)) {
      this.invalid(
        spec.field,
        undefined,
        value,
        { id: `Metadata "${spec.field}" harus berupa daftar (array).`, en: `Metadata "${spec.field}" must be a list (array).` },
        { id: `Tulis ${spec.label.id} sebagai daftar, misalnya ["a", "b"].`, en: `Write the ${spec.label.en} as a list, e.g. ["a", "b"].` },
      );
      return false;
    }
    let usable = true;
    value.forEach((item, i) => {
      const problem = this.itemProblem(spec, item);
      if (problem) {
        this.invalid(spec.field, i, item, problem.message, problem.hint);
        usable = false;
      }
    });
    return usable;
  }

  private itemProblem(spec: FieldSpec, item: unknown): { message: Bilingual; hint: Bilingual } | null {
    if (spec.kind === 'references') return referenceProblem(item);
    if (typeof item === 'string' && item.trim() !== '') {
      if (spec.choices && !spec.choices.includes(item)) {
        return {
          message: { id: `${quote(item)} bukan ${spec.label.id} yang sah.`, en: `${quote(item)} is not a valid ${spec.label.en} entry.` },
          hint: { id: `Gunakan: ${spec.choices.join(', ')}.`, en: `Use: ${spec.choices.join(', ')}.` },
        };
      }
      if (spec.field === 'reference_periods' && periodKind(item) === null) {
        return {
          message: { id: `Periode rujukan ${quote(item)} tidak dalam bentuk baku.`, en: `Reference period ${quote(item)} is not in canonical form.` },
          hint: {
            id: 'Bentuk baku: 2025, 2025-S1, 2025-Q3, 2025-07 (tahun 1900–2100).',
            en: 'Canonical forms: 2025, 2025-S1, 2025-Q3, 2025-07 (years 1900–2100).',
          },
        };
      }
      return null;
    }
    return {
      message: { id: `Isi daftar ${spec.label.id} harus berupa teks yang tidak kosong.`, en: `Entries of the ${spec.label.en} must be non-empty text.` },
      hint: { id: 'Hapus entri kosong atau yang bukan teks.', en: 'Remove empty or non-text entries.' },
    };
  }

  /** Composite indicators whose building blocks the dataset does not carry. */
  composites(catalogue: CompositeCatalogue): void {
    const indicators = this.meta.indicators;
    if (!Array.isArray(indicators)) return;
    const named = new Set(indicators.filter((c): c is string => typeof c === 'string'));
    indicators.forEach((code, i) => {
      if (typeof code !== 'string' || !catalogue.isComposite(code)) return;
      const absent = catalogue.buildingBlocks(code).filter((block) => !named.has(block));
      if (absent.length === 0) return;
      this.add('indicators', i, {
        code: 'MD_COMPOSITE_COMPONENTS',
        severity: 'warning',
        value: code,
        message: {
          id: `Indikator komposit ${code} dibangun dari ${absent.join(', ')}, yang tidak disebut dalam daftar indikator dataset.`,
          en: `Composite indicator ${code} is built from ${absent.join(', ')}, which the dataset's indicator list does not name.`,
        },
        hint: {
          id: 'Sertakan indikator pembangunnya dalam dataset agar angka komposit dapat ditelusuri dan diperiksa ulang (misalnya oleh SEPAKAT).',
          en: 'Include its building indicators in the dataset so the composite figure can be traced and recomputed (SEPAKAT, for one, requires it).',
        },
      });
    });
  }
}

function referenceProblem(item: unknown): { message: Bilingual; hint: Bilingual } | null {
  const title = typeof item === 'object' && item !== null ? (item as Record<string, unknown>).judul : undefined;
  if (typeof title === 'string' && !isPlaceholder(title)) return null;
  return {
    message: { id: 'Setiap rujukan harus menyebut judul sumbernya.', en: 'Every reference must name its source by title.' },
    hint: {
      id: 'Tulis rujukan sebagai {"judul": …, "bagian": …, "tahun": …, "url": …}, misalnya judul peraturan atau halaman metadata BPS.',
      en: 'Write a reference as {"judul": …, "bagian": …, "tahun": …, "url": …}, e.g. the title of a regulation or of a BPS metadata page.',
    },
  };
}

function asRecord(meta: unknown): Record<string, unknown> {
  return typeof meta === 'object' && meta !== null && !Array.isArray(meta) ? (meta as Record<string, unknown>) : {};
}

/** Metadata findings of a dataset and how complete its metadata is. */
export function checkDatasetMetadata(meta: DatasetMetadataInput, catalogue: CompositeCatalogue): MetadataResult {
  return checkFields(asRecord(meta), { required: REQUIRED, recommended: RECOMMENDED, missingHint: DATASET_HINT }, catalogue);
}

const DATASET_HINT: Bilingual = {
  id: 'Lengkapi metadata dataset sebelum mengirim data; kolom ini diwajibkan peraturan Satu Data daerah.',
  en: "Complete the dataset metadata before pushing data; the region's Satu Data regulation requires this field.",
};

const INDICATOR_HINT: Bilingual = {
  id: 'Lengkapi metadata indikator (MS-Ind) di katalog; tanpa isian ini angka indikator tidak dapat dibaca atau dihitung ulang oleh penggunanya.',
  en: 'Complete the indicator metadata (MS-Ind) in the catalogue; without it users cannot read or recompute the figures.',
};

interface FieldRules {
  required: readonly FieldSpec[];
  recommended: readonly FieldSpec[];
  missingHint: Bilingual;
}

/**
 * BPS' Metadata Indikator (MS-Ind) for a catalogue entry: what an indicator must say so a
 * user can read, recompute and trace its figures. Ukuran and satuan are columns of the
 * entry; the rest lives in its metadata.
 */
const MS_IND_REQUIRED: readonly FieldSpec[] = [
  { field: 'nama_indikator', kind: 'text', label: { id: 'nama indikator', en: 'indicator name' } },
  { field: 'konsep', kind: 'text', label: { id: 'konsep', en: 'concept' } },
  { field: 'definisi', kind: 'text', label: { id: 'definisi', en: 'definition' } },
  { field: 'interpretasi', kind: 'text', label: { id: 'interpretasi', en: 'interpretation' } },
  { field: 'metode_perhitungan', kind: 'text', label: { id: 'metode/rumus perhitungan', en: 'method or formula' } },
  { field: 'ukuran', kind: 'text', label: { id: 'ukuran', en: 'measure' } },
  { field: 'satuan', kind: 'text', label: { id: 'satuan', en: 'unit' } },
  { field: 'sumber_data', kind: 'text', label: { id: 'sumber data', en: 'data source' } },
  { field: 'rujukan', kind: 'references', label: { id: 'rujukan', en: 'references' } },
];

const MS_IND_RECOMMENDED: readonly FieldSpec[] = [
  { field: 'klasifikasi_penyajian', kind: 'list', label: { id: 'klasifikasi penyajian', en: 'presentation breakdowns' } },
  { field: 'level_estimasi', kind: 'text', label: { id: 'level estimasi', en: 'estimation level' } },
];

export interface IndicatorMetadataInput {
  name: string;
  measure: string;
  unit: string;
  metadata: object;
}

/** MS-Ind findings of a catalogue entry and how complete its metadata is (100 when nothing is missing). */
export function checkIndicatorMetadata(indicator: IndicatorMetadataInput): MetadataResult {
  const fields = { ...asRecord(indicator.metadata), nama_indikator: indicator.name, ukuran: indicator.measure, satuan: indicator.unit };
  return checkFields(fields, { required: MS_IND_REQUIRED, recommended: MS_IND_RECOMMENDED, missingHint: INDICATOR_HINT });
}

function checkFields(meta: Record<string, unknown>, { required, recommended, missingHint }: FieldRules, catalogue?: CompositeCatalogue): MetadataResult {
  const checker = new MetadataChecker(meta, missingHint);
  checker.personalNumbers();
  const missing: string[] = [];
  const count = (specs: readonly FieldSpec[], required: boolean) =>
    specs.reduce((present, spec) => {
      if (checker.check(spec, required)) return present + 1;
      missing.push(spec.field);
      return present;
    }, 0);
  const requiredPresent = count(required, true);
  const recommendedPresent = count(recommended, false);
  if (catalogue) checker.composites(catalogue);

  const rt = required.length;
  const ct = recommended.length;
  // Integer arithmetic up to the last step, so a complete record scores exactly 100.
  const score = Math.round((200 * requiredPresent * ct + 100 * recommendedPresent * rt) / (3 * rt * ct));
  return {
    findings: checker.findings,
    completeness: {
      score,
      required: { present: requiredPresent, total: rt },
      recommended: { present: recommendedPresent, total: ct },
      missing,
    },
  };
}
