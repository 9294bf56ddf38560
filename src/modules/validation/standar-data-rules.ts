import type { IndicatorFacts, ValidationContext } from './context.js';
import { FindingList, codeText, fieldText, quote } from '../../domain/finding-builder.js';
import type { Bilingual, Disaggregation, Finding, Observation, RawObservation } from '../../domain/finding.js';
import { compareDecimalText, numberToDecimalText, parseNumber, type NumberFailure } from './number-text.js';

/**
 * Standar Data checks on one observation: the indicator exists and belongs to the dataset,
 * the value fits the indicator's measure, unit, range and periodicity, and disaggregations
 * use the shared codelists.
 */

export interface StandarDataOptions {
  /** True for semicolon-separated files, where a decimal comma is legitimate. */
  decimalComma: boolean;
}

export interface StandarDataResult {
  findings: Finding[];
  /**
   * The observation as it would be stored, without the region (kode-referensi judges it);
   * null when a Standar Data error, or a value reported missing, keeps it out.
   */
  observation: Omit<Observation, 'region_code'> | null;
}

/** SDMX OBS_STATUS codes that say the figure is missing, so an empty value is expected. */
export const MISSING_STATUSES: ReadonlySet<string> = new Set(['M', 'L', 'O', 'Q']);

export type PeriodKind = 'tahunan' | 'semesteran' | 'triwulanan' | 'bulanan';

const PERIOD = /^(\d{4})(?:-(S[12]|Q[1-4]|0[1-9]|1[0-2]))?$/;
const MIN_YEAR = 1900;
const MAX_YEAR = 2100;
const PERIOD_EXAMPLES: Record<PeriodKind, string> = {
  tahunan: '2025',
  semesteran: '2025-S1',
  triwulanan: '2025-Q3',
  bulanan: '2025-07',
};
const PERIOD_FORMS: Bilingual = {
  id: 'Bentuk baku periode: 2025 (tahun), 2025-S1 (semester), 2025-Q3 (triwulan), 2025-07 (bulan); tahun 1900–2100.',
  en: 'Canonical period forms: 2025 (year), 2025-S1 (half-year), 2025-Q3 (quarter), 2025-07 (month); years 1900–2100.',
};

/** The kind of a canonical period, or null when the text is not one (or its year is implausible). */
export function periodKind(text: string): PeriodKind | null {
  const m = PERIOD.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  if (year < MIN_YEAR || year > MAX_YEAR) return null;
  const sub = m[2];
  if (sub === undefined) return 'tahunan';
  if (sub.startsWith('S')) return 'semesteran';
  if (sub.startsWith('Q')) return 'triwulanan';
  return 'bulanan';
}

/**
 * Whether a period of this kind suits an indicator's periodicity; `insidental` takes any, and
 * so does a periodicity this code does not know (the catalogue rules own that mistake).
 */
export function periodFits(kind: PeriodKind, periodicity: string): boolean {
  return periodicity === 'insidental' || periodicity === kind || !Object.hasOwn(PERIOD_EXAMPLES, periodicity);
}

const DIMENSIONS = [
  { field: 'sex', codelist: 'sex', label: { id: 'jenis kelamin', en: 'sex' } },
  { field: 'age_group', codelist: 'age-group', label: { id: 'kelompok umur', en: 'age group' } },
  { field: 'disability', codelist: 'disability', label: { id: 'status disabilitas', en: 'disability status' } },
  { field: 'desil', codelist: 'desil', label: { id: 'desil DTSEN', en: 'DTSEN decile' } },
] as const satisfies readonly { field: keyof Disaggregation; codelist: string; label: Bilingual }[];

// Long codelists would drown the hint; beyond this the operator is pointed at the API.
const LISTED_CODES_MAX = 20;

function codesHint(codelist: string, codes: ReadonlySet<string> | undefined): Bilingual {
  if (codes && codes.size > 0 && codes.size <= LISTED_CODES_MAX) {
    const listed = [...codes].join(', ');
    return { id: `Gunakan salah satu kode: ${listed}.`, en: `Use one of the codes: ${listed}.` };
  }
  return { id: `Lihat daftar kode di GET /v1/codelists/${codelist}.`, en: `See the codes at GET /v1/codelists/${codelist}.` };
}

function checkIndicatorCode(list: FindingList, raw: RawObservation, ctx: ValidationContext): IndicatorFacts | undefined {
  const code = codeText(raw.indicator);
  const facts = code === undefined ? undefined : ctx.indicators.get(code);
  if (code === undefined || !facts) {
    list.add({
      code: 'SD_INDICATOR_UNKNOWN',
      severity: 'error',
      column: 'indicator',
      value: raw.indicator,
      message:
        code === undefined
          ? { id: 'Kode indikator kosong.', en: 'The indicator code is empty.' }
          : {
              id: `Kode indikator ${quote(code)} tidak ada dalam katalog indikator.`,
              en: `Indicator code ${quote(code)} is not in the indicator catalogue.`,
            },
      hint: {
        id: 'Tulis kode persis seperti di katalog (GET /v1/indicators), termasuk huruf besarnya, misalnya IKS-01 atau PPKS-06.',
        en: 'Write the code exactly as the catalogue has it (GET /v1/indicators), capitals included, e.g. IKS-01 or PPKS-06.',
      },
    });
    return undefined;
  }
  if (!ctx.datasetIndicators.has(code)) {
    list.add({
      code: 'SD_INDICATOR_NOT_IN_DATASET',
      severity: 'error',
      column: 'indicator',
      value: raw.indicator,
      message: {
        id: `Indikator ${code} tidak termasuk indikator yang dinyatakan dalam metadata dataset ini.`,
        en: `Indicator ${code} is not one of the indicators this dataset's metadata declares.`,
      },
      hint: {
        id: 'Tambahkan indikator ini ke metadata dataset (indicators), atau kirim angkanya melalui dataset yang mencakupnya.',
        en: "Add the indicator to the dataset metadata (indicators), or push its figures through the dataset that covers it.",
      },
    });
  }
  return facts;
}

function checkStatus(list: FindingList, raw: RawObservation, ctx: ValidationContext): string {
  const status = codeText(raw.obs_status) ?? 'A';
  const codes = ctx.codelists.get('obs-status');
  if (!codes?.has(status)) {
    const upper = codes?.has(status.toUpperCase());
    const listed = codesHint('obs-status', codes);
    list.add({
      code: 'SD_OBS_STATUS_UNKNOWN',
      severity: 'error',
      column: 'obs_status',
      value: raw.obs_status,
      message: {
        id: `Status observasi ${quote(status)} bukan kode OBS_STATUS SDMX.`,
        en: `Observation status ${quote(status)} is not an SDMX OBS_STATUS code.`,
      },
      hint: upper
        ? { id: `Kode ditulis dengan huruf besar: ${status.toUpperCase()}.`, en: `Codes are written in capitals: ${status.toUpperCase()}.` }
        : {
            id: `${listed.id} Kosongkan untuk nilai normal (A).`,
            en: `${listed.en} Leave it empty for a normal value (A).`,
          },
    });
  }
  return status;
}

const THOUSANDS_HINT: Bilingual = {
  id: 'Tulis angka tanpa pemisah ribuan (1234, bukan 1.234 atau 1,234); gunakan titik hanya sebagai pemisah desimal. Nilai seperti ini tidak ditebak.',
  en: 'Write figures without thousands separators (1234, not 1.234 or 1,234); use a point only as the decimal mark. Such values are never guessed.',
};

function notNumberHint(text: string, options: StandarDataOptions): Bilingual {
  if (/^[+-]?[\d.,]+e[+-]?\d+$/i.test(text)) {
    return {
      id: 'Notasi ilmiah (1E+5) tidak diterima; format sel sebagai angka biasa dan tulis nilai lengkapnya.',
      en: 'Scientific notation (1E+5) is not accepted; format the cell as a plain number and write the value in full.',
    };
  }
  if (text.includes('%')) {
    return { id: 'Tulis angkanya saja tanpa tanda %; satuannya sudah ditentukan indikator.', en: "Write the figure without the % sign; the indicator defines the unit." };
  }
  if (text.includes(',') && !options.decimalComma) {
    return {
      id: 'Gunakan titik sebagai pemisah desimal (12.5); koma desimal hanya diterima pada berkas CSV berpemisah titik koma.',
      en: 'Use a point as the decimal mark (12.5); a decimal comma is accepted only in semicolon-separated CSV files.',
    };
  }
  return { id: 'Isi hanya angka, dengan titik sebagai pemisah desimal, misalnya 1234 atau 12.5.', en: 'Enter digits only, with a point as the decimal mark, e.g. 1234 or 12.5.' };
}

function reportValueFailure(list: FindingList, raw: RawObservation, reason: Exclude<NumberFailure, 'empty'>, options: StandarDataOptions): void {
  const shown = quote(raw.value);
  if (reason === 'not-finite') {
    list.add({
      code: 'SD_VALUE_NOT_FINITE',
      severity: 'error',
      column: 'value',
      value: raw.value,
      message: { id: `Nilai ${shown} bukan bilangan terhingga.`, en: `Value ${shown} is not a finite number.` },
      hint: {
        id: 'Periksa rumus di spreadsheet (misalnya pembagian dengan nol); bila angkanya tidak tersedia, kosongkan nilai dan isi obs_status dengan M.',
        en: 'Check the spreadsheet formula (a division by zero, say); if the figure is unavailable, leave the value empty and set obs_status to M.',
      },
    });
  } else if (reason === 'ambiguous-separator') {
    list.add({
      code: 'SD_VALUE_AMBIGUOUS',
      severity: 'error',
      column: 'value',
      value: raw.value,
      message: {
        id: `Nilai ${shown} bermakna ganda: tanda pemisahnya bisa berarti ribuan atau desimal.`,
        en: `Value ${shown} is ambiguous: its separator could mark thousands or decimals.`,
      },
      hint: THOUSANDS_HINT,
    });
  } else {
    const text = (fieldText(raw.value) ?? '').trim();
    list.add({
      code: 'SD_VALUE_NOT_NUMBER',
      severity: 'error',
      column: 'value',
      value: raw.value,
      message: { id: `Nilai ${shown} bukan angka.`, en: `Value ${shown} is not a number.` },
      hint: reason === 'thousands-separator' ? THOUSANDS_HINT : notNumberHint(text, options),
    });
  }
}

/** The value as canonical decimal text; 'missing' when it is absent as its status allows. */
function checkValue(
  list: FindingList,
  raw: RawObservation,
  indicator: IndicatorFacts | undefined,
  status: string,
  options: StandarDataOptions,
): string | 'missing' | undefined {
  const parsed = parseNumber(raw.value, { decimalComma: options.decimalComma, valueType: indicator?.value_type ?? 'decimal' });
  if (!parsed.ok && parsed.reason === 'empty') {
    if (MISSING_STATUSES.has(status)) {
      list.add({
        code: 'SD_MISSING_VALUE',
        severity: 'warning',
        column: 'value',
        value: raw.value,
        message: {
          id: `Nilai kosong dengan status ${status} (data hilang): baris dicatat dalam laporan tetapi tidak disimpan sebagai angka.`,
          en: `Empty value with status ${status} (missing data): the row is reported but not stored as a figure.`,
        },
      });
      return 'missing';
    }
    list.add({
      code: 'SD_VALUE_MISSING',
      severity: 'error',
      column: 'value',
      value: raw.value,
      message: { id: 'Nilai kosong.', en: 'The value is empty.' },
      hint: {
        id: 'Isi nilainya. Bila angkanya memang tidak tersedia, isi obs_status dengan M, L, O, atau Q agar baris dicatat sebagai data hilang.',
        en: 'Fill in the value. If the figure is genuinely unavailable, set obs_status to M, L, O or Q so the row is recorded as missing.',
      },
    });
    return undefined;
  }
  if (!parsed.ok) {
    if (parsed.reason !== 'empty') reportValueFailure(list, raw, parsed.reason, options);
    return undefined;
  }
  if (parsed.usedDecimalComma) {
    list.add({
      code: 'SD_DECIMAL_COMMA',
      severity: 'warning',
      column: 'value',
      value: raw.value,
      message: {
        id: `Nilai ${quote(raw.value)} dibaca dengan koma desimal sebagai ${parsed.text}.`,
        en: `Value ${quote(raw.value)} was read with a decimal comma as ${parsed.text}.`,
      },
      hint: {
        id: 'Pastikan koma memang pemisah desimal, bukan pemisah ribuan.',
        en: 'Make sure the comma is a decimal mark, not a thousands separator.',
      },
    });
  }
  if (indicator) checkRange(list, raw, indicator, parsed.text);
  return parsed.text;
}

// An indicator's bounds are few and asked for on every row: spelled out once each.
const boundTexts = new Map<number, string | null>();
function boundText(bound: number | null): string | null {
  if (bound === null) return null;
  let text = boundTexts.get(bound);
  if (text === undefined) boundTexts.set(bound, (text = numberToDecimalText(bound)));
  return text;
}

function outside(text: string, min: number | null, max: number | null): boolean {
  const lo = boundText(min);
  const hi = boundText(max);
  return (lo !== null && compareDecimalText(text, lo) < 0) || (hi !== null && compareDecimalText(text, hi) > 0);
}

function rangeText(min: number | null, max: number | null): string {
  return `${min ?? '−∞'}–${max ?? '∞'}`;
}

function checkRange(list: FindingList, raw: RawObservation, indicator: IndicatorFacts, text: string): void {
  const before = list.findings.length;
  const base = { severity: 'error', column: 'value', value: raw.value } as const;
  if (indicator.value_type === 'integer' && text.includes('.')) {
    list.add({
      ...base,
      code: 'SD_COUNT_NOT_INTEGER',
      message: {
        id: `Indikator ${indicator.code} adalah jumlah (bilangan bulat), tetapi nilainya ${text}.`,
        en: `Indicator ${indicator.code} is a count (a whole number), but the value is ${text}.`,
      },
      hint: { id: 'Tulis jumlah tanpa desimal, misalnya 1234.', en: 'Write counts without decimals, e.g. 1234.' },
    });
  }
  if (indicator.value_type === 'integer' && text.startsWith('-')) {
    list.add({
      ...base,
      code: 'SD_NEGATIVE_COUNT',
      message: {
        id: `Indikator ${indicator.code} adalah jumlah dan tidak boleh negatif (${text}).`,
        en: `Indicator ${indicator.code} is a count and cannot be negative (${text}).`,
      },
      hint: { id: 'Periksa tanda minus pada sel sumber.', en: 'Check the minus sign in the source cell.' },
    });
  }
  if (indicator.measure === 'persentase' && outside(text, 0, 100)) {
    list.add({
      ...base,
      code: 'SD_PERCENT_OUT_OF_RANGE',
      message: {
        id: `Indikator ${indicator.code} adalah persentase; nilai ${text} berada di luar 0–100.`,
        en: `Indicator ${indicator.code} is a percentage; value ${text} lies outside 0–100.`,
      },
      hint: {
        id: 'Tulis persentase sebagai 0–100 (45.2 untuk 45,2%), bukan pecahan (0.452) dan bukan jumlah orang.',
        en: 'Write percentages on a 0–100 scale (45.2 for 45.2 %), not as a fraction (0.452) nor as a head count.',
      },
    });
  }
  // One finding per value: the more specific rules above already say what is wrong.
  if (list.findings.length === before && outside(text, indicator.valid_min, indicator.valid_max)) {
    const range = rangeText(indicator.valid_min, indicator.valid_max);
    list.add({
      ...base,
      code: 'SD_OUT_OF_VALID_RANGE',
      message: {
        id: `Nilai ${text} berada di luar rentang sah indikator ${indicator.code} (${range}).`,
        en: `Value ${text} lies outside the valid range of indicator ${indicator.code} (${range}).`,
      },
      hint: {
        id: `Periksa satuan dan angkanya; nilai ${indicator.code} dalam ${indicator.unit} harus di antara ${range}.`,
        en: `Check the unit and the figure; ${indicator.code} in ${indicator.unit} must lie within ${range}.`,
      },
    });
  }
}

function normalisedUnit(unit: string): string {
  return unit.trim().replace(/\s+/g, ' ').toLowerCase();
}

function checkUnit(list: FindingList, raw: RawObservation, indicator: IndicatorFacts | undefined): void {
  const unit = codeText(raw.unit);
  if (unit === undefined || !indicator || normalisedUnit(unit) === normalisedUnit(indicator.unit)) return;
  list.add({
    code: 'SD_UNIT_MISMATCH',
    severity: 'error',
    column: 'unit',
    value: raw.unit,
    message: {
      id: `Satuan ${quote(unit)} berbeda dari satuan indikator ${indicator.code} (${indicator.unit}).`,
      en: `Unit ${quote(unit)} differs from the unit of indicator ${indicator.code} (${indicator.unit}).`,
    },
    hint: {
      id: `Kirim nilai dalam satuan "${indicator.unit}" dan tulis satuan itu, atau kosongkan kolom satuan.`,
      en: `Send the value in "${indicator.unit}" and write that unit, or leave the unit column empty.`,
    },
  });
}

/** A canonical spelling of a near-miss period, offered in the hint but never applied. */
function periodSuggestion(text: string): string | undefined {
  const pad = (m: string) => m.padStart(2, '0');
  const candidates = [
    text.toUpperCase(),
    text.replace(/^(\d{4})[-/.](\d)$/, (_, y: string, m: string) => `${y}-${pad(m)}`),
    text.replace(/^(\d{4})[/.](\d{2})$/, '$1-$2'),
    text.replace(/^(\d{1,2})[-/.](\d{4})$/, (_, m: string, y: string) => `${y}-${pad(m)}`),
    text.replace(/^([QS])([1-4])[\s-]*(\d{4})$/i, (_, k: string, n: string, y: string) => `${y}-${k.toUpperCase()}${n}`),
    text.replace(/^(\d{4})[\s-]*([QS])([1-4])$/i, (_, y: string, k: string, n: string) => `${y}-${k.toUpperCase()}${n}`),
  ];
  return candidates.find((c) => c !== text && periodKind(c) !== null);
}

function checkPeriod(list: FindingList, raw: RawObservation, indicator: IndicatorFacts | undefined): string | undefined {
  const period = codeText(raw.period);
  const kind = period === undefined ? null : periodKind(period);
  if (period === undefined || kind === null) {
    const suggestion = period === undefined ? undefined : periodSuggestion(period);
    list.add({
      code: 'SD_PERIOD_MALFORMED',
      severity: 'error',
      column: 'period',
      value: raw.period,
      message:
        period === undefined
          ? { id: 'Periode kosong.', en: 'The period is empty.' }
          : { id: `Periode ${quote(period)} tidak dalam bentuk baku.`, en: `Period ${quote(period)} is not in canonical form.` },
      hint: suggestion
        ? { id: `Mungkin maksudnya ${suggestion}? ${PERIOD_FORMS.id}`, en: `Perhaps ${suggestion} was meant? ${PERIOD_FORMS.en}` }
        : PERIOD_FORMS,
    });
    return undefined;
  }
  if (indicator && !periodFits(kind, indicator.periodicity)) {
    const example = PERIOD_EXAMPLES[indicator.periodicity as PeriodKind];
    list.add({
      code: 'SD_PERIOD_PERIODICITY',
      severity: 'error',
      column: 'period',
      value: raw.period,
      message: {
        id: `Indikator ${indicator.code} bersifat ${indicator.periodicity}, tetapi periodenya ${period} (${kind}).`,
        en: `Indicator ${indicator.code} is ${indicator.periodicity}, but the period ${period} is ${kind}.`,
      },
      hint: {
        id: `Tulis periode ${indicator.periodicity} seperti ${example}; angka ${kind} tidak diterima untuk indikator ini.`,
        en: `Write a ${indicator.periodicity} period such as ${example}; ${kind} figures are not accepted for this indicator.`,
      },
    });
  }
  return period;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isIsoDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(0);
  // Not Date.UTC: it maps years 0–99 to 1900–1999. An impossible day (02-30) rolls over.
  date.setUTCFullYear(y, mo - 1, d);
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function checkRankingDate(list: FindingList, raw: RawObservation): string | undefined {
  const date = codeText(raw.desil_ranking_date);
  if (date !== undefined && typeof raw.desil_ranking_date === 'string' && isIsoDate(date)) return date;
  list.add({
    code: 'SD_DESIL_RANKING_DATE',
    severity: 'error',
    column: 'desil_ranking_date',
    value: raw.desil_ranking_date,
    message:
      date === undefined
        ? {
            id: 'Angka per desil wajib menyertakan tanggal pemeringkatan desil (desil_ranking_date).',
            en: 'A figure by decile must carry the date of the decile ranking (desil_ranking_date).',
          }
        : {
            id: `Tanggal pemeringkatan desil ${quote(raw.desil_ranking_date)} bukan tanggal yang sah dalam bentuk YYYY-MM-DD.`,
            en: `Decile ranking date ${quote(raw.desil_ranking_date)} is not a valid date in the form YYYY-MM-DD.`,
          },
    hint: {
      id: 'DTSEN diperingkat ulang tiap triwulan, jadi desil hanya bermakna bersama tanggalnya. Tulis tanggal sebagai teks, misalnya 2025-03-31.',
      en: 'DTSEN is re-ranked every quarter, so a decile means something only with its date. Write the date as text, e.g. 2025-03-31.',
    },
  });
  return undefined;
}

function checkDisaggregation(
  list: FindingList,
  raw: RawObservation,
  ctx: ValidationContext,
  indicator: IndicatorFacts | undefined,
): Disaggregation {
  const disagg: Disaggregation = {};
  for (const { field, codelist, label } of DIMENSIONS) {
    const code = codeText(raw[field]);
    if (code === undefined) continue;
    if (indicator && !indicator.disaggregations.includes(field)) {
      const allowed = indicator.disaggregations.length > 0 ? indicator.disaggregations.join(', ') : null;
      list.add({
        code: 'SD_DISAGG_NOT_ALLOWED',
        severity: 'error',
        column: field,
        value: raw[field],
        message: {
          id: `Indikator ${indicator.code} tidak dipilah menurut ${label.id}.`,
          en: `Indicator ${indicator.code} is not broken down by ${label.en}.`,
        },
        hint: {
          id: `Kosongkan kolom ${field} untuk angka total.${allowed ? ` Pemilahan yang diizinkan: ${allowed}.` : ' Indikator ini hanya menerima angka total.'}`,
          en: `Leave the ${field} column empty for the total.${allowed ? ` Allowed breakdowns: ${allowed}.` : ' This indicator takes totals only.'}`,
        },
      });
      continue;
    }
    const codes = ctx.codelists.get(codelist);
    if (!codes?.has(code)) {
      list.add({
        code: 'SD_DISAGG_CODE_UNKNOWN',
        severity: 'error',
        column: field,
        value: raw[field],
        message: {
          id: `Kode ${label.id} ${quote(code)} tidak ada dalam daftar kode ${codelist}.`,
          en: `${label.en.charAt(0).toUpperCase()}${label.en.slice(1)} code ${quote(code)} is not in the ${codelist} codelist.`,
        },
        hint: codesHint(codelist, codes),
      });
      continue;
    }
    disagg[field] = code;
  }
  // The ranking date qualifies a decile; without a decile there is nothing for it to qualify.
  if (codeText(raw.desil) !== undefined && !list.hasError('desil')) {
    const date = checkRankingDate(list, raw);
    if (date !== undefined) disagg.desil_ranking_date = date;
  }
  return disagg;
}

/** Standar Data findings of one raw observation, and the observation when nothing blocks it. */
export function checkStandarData(raw: RawObservation, ctx: ValidationContext, options: StandarDataOptions): StandarDataResult {
  const list = new FindingList(raw, 'standar-data');
  const indicator = checkIndicatorCode(list, raw, ctx);
  const status = checkStatus(list, raw, ctx);
  const value = checkValue(list, raw, indicator, status, options);
  checkUnit(list, raw, indicator);
  const period = checkPeriod(list, raw, indicator);
  const disagg = checkDisaggregation(list, raw, ctx, indicator);

  if (list.hasError() || !indicator || value === undefined || value === 'missing' || period === undefined) {
    return { findings: list.findings, observation: null };
  }
  const note = fieldText(raw.note);
  const observation: Omit<Observation, 'region_code'> = {
    indicator_code: indicator.code,
    period,
    disagg,
    value,
    obs_status: status,
    note: note === undefined || note.trim() === '' ? null : note,
  };
  if (raw.row !== undefined) observation.row = raw.row;
  if (raw.pointer !== undefined) observation.pointer = raw.pointer;
  return { findings: list.findings, observation };
}
