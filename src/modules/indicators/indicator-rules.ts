import type { FieldError } from '../../http/app-error.js';
import { inconsistent, unknownCode } from '../../http/field-errors.js';
import type { IndicatorMetadata } from '../../domain/indicator-metadata.js';

/** Metadata of an entry that has none yet: every MS-Ind field present, none filled. */
export const EMPTY_METADATA: IndicatorMetadata = {
  konsep: null,
  definisi: null,
  interpretasi: null,
  metode_perhitungan: null,
  sumber_data: null,
  klasifikasi_penyajian: [],
  indikator_komposit: false,
  indikator_pembangun: [],
  level_estimasi: null,
  dapat_diakses_umum: true,
  rujukan: [],
};

/** An indicator as it would be stored, before the catalogue accepts it. */
export interface IndicatorCandidate {
  code: string;
  name: string;
  name_en: string;
  group: string;
  measure: string;
  unit: string;
  valid_min: number | null;
  valid_max: number | null;
  direction: string | null;
  dimension: string | null;
  source_agency_kinds: string[];
  periodicity: string;
  disaggregations: string[];
  metadata: IndicatorMetadata;
}

/** The codelists an indicator refers to, plus the catalogue itself for composite building blocks. */
export const INDICATOR_CODELISTS = [
  'indicator-groups',
  'measures',
  'units',
  'directions',
  'ikesos-dimensions',
  'agency-kinds',
  'periods',
  'disaggregation-dimensions',
] as const;

export interface IndicatorReferences {
  codes: Map<string, Set<string>>;
  indicatorExists: (code: string) => boolean;
}

/**
 * Satu Data "Standar Data" checks on a catalogue entry: every code it names exists, its
 * valid range is ordered and fits its measure, and a composite names its building blocks.
 */
export function checkIndicator(c: IndicatorCandidate, refs: IndicatorReferences): FieldError[] {
  const errors: FieldError[] = [];
  const inList = (list: (typeof INDICATOR_CODELISTS)[number], value: string, pointer: string) => {
    if (!refs.codes.get(list)?.has(value)) errors.push(unknownCode(pointer, value, list));
  };
  inList('indicator-groups', c.group, '/group');
  inList('measures', c.measure, '/measure');
  inList('units', c.unit, '/unit');
  inList('periods', c.periodicity, '/periodicity');
  if (c.direction !== null) inList('directions', c.direction, '/direction');
  if (c.dimension !== null) inList('ikesos-dimensions', c.dimension, '/dimension');
  c.source_agency_kinds.forEach((k, i) => inList('agency-kinds', k, `/source_agency_kinds/${i}`));
  c.disaggregations.forEach((d, i) => inList('disaggregation-dimensions', d, `/disaggregations/${i}`));

  if (c.valid_min !== null && c.valid_max !== null && c.valid_min > c.valid_max) {
    errors.push(
      inconsistent('/valid_min', {
        id: `valid_min (${c.valid_min}) lebih besar dari valid_max (${c.valid_max})`,
        en: `valid_min (${c.valid_min}) is greater than valid_max (${c.valid_max})`,
      }),
    );
  }
  if (c.measure === 'persentase') {
    const outside = { id: 'rentang nilai persentase harus di dalam 0–100', en: 'the valid range of a percentage must lie within 0–100' };
    if ((c.valid_min ?? 0) < 0) errors.push(inconsistent('/valid_min', outside));
    if ((c.valid_max ?? 100) > 100) errors.push(inconsistent('/valid_max', outside));
  }
  if (c.measure === 'jumlah' && c.valid_min !== null && c.valid_min < 0) {
    errors.push(inconsistent('/valid_min', { id: 'jumlah tidak boleh negatif', en: 'a count cannot be negative' }));
  }
  if (c.group === 'ikesos' && (c.dimension === null || c.direction === null)) {
    errors.push(
      inconsistent(c.dimension === null ? '/dimension' : '/direction', {
        id: 'indikator IKESOS wajib punya dimension dan direction',
        en: 'an IKESOS indicator needs a dimension and a direction',
      }),
    );
  }

  const m = c.metadata;
  if (m.indikator_komposit && m.indikator_pembangun.length === 0) {
    errors.push(
      inconsistent('/metadata/indikator_pembangun', {
        id: 'indikator komposit wajib menyebut indikator pembangunnya',
        en: 'a composite indicator must name its building indicators',
      }),
    );
  }
  m.indikator_pembangun.forEach((code, i) => {
    const pointer = `/metadata/indikator_pembangun/${i}`;
    if (code === c.code) {
      errors.push(inconsistent(pointer, { id: 'indikator tidak dapat membangun dirinya sendiri', en: 'an indicator cannot be built from itself' }));
    } else if (!refs.indicatorExists(code)) {
      errors.push(unknownCode(pointer, code, 'indicators'));
    }
  });
  return errors;
}
