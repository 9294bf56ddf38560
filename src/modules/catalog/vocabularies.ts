/**
 * The controlled vocabularies DCAT-AP 3 requires for the catalogue (EU Publications Office
 * authority tables), and how the Satu Data dataset metadata maps to them.
 */
const EU_AUTHORITY = 'http://publications.europa.eu/resource/authority';

export type UpdateSchedule = 'tahunan' | 'semesteran' | 'triwulanan' | 'bulanan' | 'insidental';
export type AccessClassification = 'terbuka' | 'terbatas' | 'tertutup';

const FREQUENCY: Record<UpdateSchedule, string> = {
  tahunan: 'ANNUAL',
  semesteran: 'ANNUAL_2',
  triwulanan: 'QUARTERLY',
  bulanan: 'MONTHLY',
  // "Updated when needed": the authority table's irregular frequency.
  insidental: 'IRREG',
};

const ACCESS_RIGHT: Record<AccessClassification, string> = {
  terbuka: 'PUBLIC',
  terbatas: 'RESTRICTED',
  tertutup: 'NON_PUBLIC',
};

/** dct:accrualPeriodicity of a jadwal pemutakhiran; null for a value the catalogue does not know. */
export function frequencyUri(schedule: unknown): string | null {
  const code = typeof schedule === 'string' ? FREQUENCY[schedule as UpdateSchedule] : undefined;
  return code === undefined ? null : `${EU_AUTHORITY}/frequency/${code}`;
}

/** dct:accessRights of a klasifikasi akses; an unknown value is treated as the most closed. */
export function accessRightsUri(classification: unknown): string {
  const code = typeof classification === 'string' ? ACCESS_RIGHT[classification as AccessClassification] : undefined;
  return `${EU_AUTHORITY}/access-right/${code ?? 'NON_PUBLIC'}`;
}

export const LANGUAGE_INDONESIAN = `${EU_AUTHORITY}/language/IND`;
/** Population and society: the data theme of social-welfare statistics. */
export const THEME_SOCIETY = `${EU_AUTHORITY}/data-theme/SOCI`;
export const FILE_TYPE = {
  csv: `${EU_AUTHORITY}/file-type/CSV`,
  json: `${EU_AUTHORITY}/file-type/JSON`,
  sdmx: `${EU_AUTHORITY}/file-type/SDMX`,
} as const;
export const MEDIA_TYPE = {
  csv: 'https://www.iana.org/assignments/media-types/text/csv',
  json: 'https://www.iana.org/assignments/media-types/application/json',
} as const;

export interface DateInterval {
  start: string;
  end: string;
}

const LAST_DAY = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The calendar days a reference period covers: `2024` the year, `2024-S1` January–June,
 * `2024-Q3` July–September, `2024-07` July. Null for anything else.
 */
export function periodInterval(period: string): DateInterval | null {
  const m = /^(\d{4})(?:-(?:S([12])|Q([1-4])|(0[1-9]|1[0-2])))?$/.exec(period);
  if (!m) return null;
  const year = Number(m[1]);
  const [first, last] = m[2] ? [Number(m[2]) * 6 - 5, Number(m[2]) * 6] : m[3] ? [Number(m[3]) * 3 - 2, Number(m[3]) * 3] : m[4] ? [Number(m[4]), Number(m[4])] : [1, 12];
  return { start: `${year}-${pad(first)}-01`, end: `${year}-${pad(last)}-${pad(LAST_DAY(year, last))}` };
}

/** The smallest interval holding every period given; null when none is a period. */
export function coverage(periods: readonly string[]): DateInterval | null {
  const intervals = periods.map(periodInterval).filter((i): i is DateInterval => i !== null);
  if (intervals.length === 0) return null;
  return {
    start: intervals.reduce((a, i) => (i.start < a ? i.start : a), intervals[0]!.start),
    end: intervals.reduce((a, i) => (i.end > a ? i.end : a), intervals[0]!.end),
  };
}
