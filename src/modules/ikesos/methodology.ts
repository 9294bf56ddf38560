import type { FieldError } from '../../http/app-error.js';

/**
 * An IKESOS methodology as data. The ministry has published no weights or normalisation,
 * so every choice is explicit here, versioned, and named in every score computed with it.
 */
export type Mean = 'arithmetic' | 'geometric';

export interface MethodologyIndicator {
  code: string;
  direction: 'positive' | 'negative';
  weight: number;
  /** Fixed goalposts (HDI-style); required when normalisation is `goalposts`. */
  goalposts?: { min: number; max: number } | undefined;
}

export interface MethodologyDimension {
  code: string;
  name: string;
  weight: number;
  indicators: MethodologyIndicator[];
}

export interface MethodologyConfig {
  /** `goalposts`: fixed min/max per indicator; `observed`: min/max across the regions compared. */
  normalisation: 'goalposts' | 'observed';
  aggregation: { within: Mean; across: Mean };
  /** Lowest normalised value (0–1) fed into a geometric mean, so one zero does not zero the index. */
  floor: number;
  scale: { min: number; max: number };
  /** Ascending lower bounds: a score gets the label of the highest bound it reaches. */
  categories: { label: string; min: number }[];
  /** Shares of indicators present (0–1) below which no dimension score, or no score at all, is given. */
  coverage: { min_dimension: number; min_overall: number };
  dimensions: MethodologyDimension[];
}

const error = (pointer: string, code: string, id: string, en: string): FieldError => ({ location: 'body', pointer, code, detail: { id, en } });

/** Every problem with a methodology, each naming where it is; empty when it can be used. */
export function checkMethodology(config: MethodologyConfig, indicatorExists: (code: string) => boolean): FieldError[] {
  const errors: FieldError[] = [];
  if (config.dimensions.length === 0) errors.push(error('/config/dimensions', 'empty', 'metodologi harus memiliki paling sedikit satu dimensi', 'a methodology needs at least one dimension'));
  // Codes are how an explanation names a dimension and how a figure finds its weight: each once.
  const dimensionCodes = new Set<string>();
  const dimensionOf = new Map<string, string>();
  config.dimensions.forEach((d, di) => {
    const at = `/config/dimensions/${di}`;
    if (dimensionCodes.has(d.code)) errors.push(error(`${at}/code`, 'duplicate', `kode dimensi ${d.code} muncul lebih dari sekali`, `dimension code ${d.code} appears more than once`));
    dimensionCodes.add(d.code);
    if (!(d.weight > 0)) errors.push(error(`${at}/weight`, 'weight-not-positive', `bobot dimensi ${d.code} harus lebih dari 0`, `the weight of dimension ${d.code} must be greater than 0`));
    if (d.indicators.length === 0) errors.push(error(`${at}/indicators`, 'empty', `dimensi ${d.code} tidak memiliki indikator`, `dimension ${d.code} has no indicators`));
    d.indicators.forEach((i, ii) => {
      const ia = `${at}/indicators/${ii}`;
      if (!indicatorExists(i.code)) errors.push(error(`${ia}/code`, 'unknown-code', `indikator ${i.code} tidak ada dalam katalog`, `indicator ${i.code} is not in the catalogue`));
      const first = dimensionOf.get(i.code);
      if (first !== undefined) {
        const where = first === d.code ? { id: `dalam dimensi ${d.code}`, en: `in dimension ${d.code}` } : { id: `dalam dimensi ${first} dan ${d.code}`, en: `in dimensions ${first} and ${d.code}` };
        errors.push(error(`${ia}/code`, 'duplicate', `indikator ${i.code} muncul lebih dari sekali (${where.id})`, `indicator ${i.code} appears more than once (${where.en})`));
      } else dimensionOf.set(i.code, d.code);
      if (!(i.weight > 0)) errors.push(error(`${ia}/weight`, 'weight-not-positive', `bobot indikator ${i.code} harus lebih dari 0`, `the weight of indicator ${i.code} must be greater than 0`));
      if (config.normalisation === 'goalposts' && !i.goalposts) {
        errors.push(error(`${ia}/goalposts`, 'required', `normalisasi goalposts memerlukan min/max untuk ${i.code}`, `goalpost normalisation needs min/max for ${i.code}`));
      }
      if (i.goalposts && !(i.goalposts.min < i.goalposts.max)) {
        errors.push(error(`${ia}/goalposts`, 'min-not-below-max', `goalpost min ${i.goalposts.min} harus lebih kecil dari max ${i.goalposts.max} (${i.code})`, `goalpost min ${i.goalposts.min} must be below max ${i.goalposts.max} (${i.code})`));
      }
    });
  });
  const geometric = config.aggregation.within === 'geometric' || config.aggregation.across === 'geometric';
  // Normalised values reach 0 at the worse goalpost (or the worst region observed).
  if (geometric && !(config.floor > 0)) {
    errors.push(error('/config/floor', 'geometric-needs-floor', 'rata-rata geometrik memerlukan floor > 0 karena nilai ternormalisasi bisa 0', 'a geometric mean needs a floor above 0, since normalised values can be 0'));
  }
  if (!(config.scale.min < config.scale.max)) errors.push(error('/config/scale', 'min-not-below-max', 'skala min harus lebih kecil dari max', 'the scale min must be below its max'));
  config.categories.forEach((c, ci) => {
    const previous = config.categories[ci - 1];
    if (previous && !(c.min > previous.min)) errors.push(error(`/config/categories/${ci}/min`, 'not-ascending', 'batas kategori harus naik', 'category bounds must ascend'));
  });
  return errors;
}
