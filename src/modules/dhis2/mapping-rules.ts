import type { FieldError } from '../../http/app-error.js';
import { disaggKey } from '../../domain/disagg-key.js';
import type { Disaggregation } from '../../domain/finding.js';
import { isWithin } from '../../domain/region-code.js';

/**
 * How a dataset's DHIS2 codes (idScheme=CODE) read as the service's codes. Data elements name
 * indicators, category option combos name breakdowns, and org units name Kemendagri regions:
 * most Indonesian DHIS2 instances already use the Kemendagri code as the org unit code, so with
 * `kemendagri_org_units` an org unit code that is not listed is read as a region code itself
 * and validated as one; the list is for instances with codes of their own.
 */
export interface Dhis2Mapping {
  /** The DHIS2 data set code the payloads name (checked when both sides give one; echoed on export). */
  data_set: string | null;
  kemendagri_org_units: boolean;
  data_elements: { code: string; indicator: string }[];
  category_option_combos: { code: string; disaggregation: Disaggregation }[];
  org_units: { code: string; region: string }[];
}

/** The code DHIS2 gives its default (no breakdown) category option combo. */
export const DEFAULT_COMBO = 'default';

/** What a mapping is checked against: the dataset, the codelists, and which regions exist. */
export interface MappingContext {
  datasetIndicators: readonly string[];
  jurisdiction: string | null;
  codelists: ReadonlyMap<string, ReadonlySet<string>>;
  existingRegions: ReadonlySet<string>;
}

const DIMENSION_CODELISTS: Record<Exclude<keyof Disaggregation, 'desil_ranking_date'>, string> = {
  sex: 'sex',
  age_group: 'age-group',
  disability: 'disability',
  desil: 'desil',
};

const isoDate = (text: string) => /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`));

function fieldError(pointer: string, code: string, id: string, en: string): FieldError {
  return { location: 'body', pointer, code, detail: { id, en } };
}

/** Each code once per list, and each target once, so a value maps one way both in and out. */
function uniqueness<T>(list: T[], name: string, code: (item: T) => string, target: (item: T) => string, targetName: string): FieldError[] {
  const errors: FieldError[] = [];
  const codes = new Map<string, number>();
  const targets = new Map<string, number>();
  list.forEach((item, i) => {
    const c = code(item);
    const t = target(item);
    if (codes.has(c)) errors.push(fieldError(`/${name}/${i}/code`, 'duplicate', `kode "${c}" sudah dipetakan di /${name}/${codes.get(c)}`, `code "${c}" is already mapped at /${name}/${codes.get(c)}`));
    else codes.set(c, i);
    if (targets.has(t)) errors.push(fieldError(`/${name}/${i}`, 'duplicate', `${targetName} ini sudah dipetakan dari /${name}/${targets.get(t)}`, `this ${targetName} is already mapped from /${name}/${targets.get(t)}`));
    else targets.set(t, i);
  });
  return errors;
}

/** Every problem of a mapping, as field errors pointing into the body; empty when it is sound. */
export function checkMapping(mapping: Dhis2Mapping, context: MappingContext): FieldError[] {
  const errors: FieldError[] = [
    ...uniqueness(mapping.data_elements, 'data_elements', (d) => d.code, (d) => d.indicator, 'indikator / indicator'),
    ...uniqueness(mapping.category_option_combos, 'category_option_combos', (c) => c.code, (c) => disaggKey(c.disaggregation), 'rincian / breakdown'),
    ...uniqueness(mapping.org_units, 'org_units', (o) => o.code, (o) => o.region, 'wilayah / region'),
  ];
  const indicators = new Set(context.datasetIndicators);
  mapping.data_elements.forEach((d, i) => {
    if (!indicators.has(d.indicator)) {
      errors.push(fieldError(`/data_elements/${i}/indicator`, 'unknown-code', `indikator "${d.indicator}" bukan indikator dataset ini`, `indicator "${d.indicator}" is not one of this dataset's indicators`));
    }
  });
  mapping.category_option_combos.forEach((c, i) => {
    for (const [dimension, list] of Object.entries(DIMENSION_CODELISTS)) {
      const code = c.disaggregation[dimension as keyof typeof DIMENSION_CODELISTS];
      if (code !== undefined && !context.codelists.get(list)?.has(code)) {
        errors.push(fieldError(`/category_option_combos/${i}/disaggregation/${dimension}`, 'unknown-code', `"${code}" tidak ada dalam daftar kode ${list}`, `"${code}" is not in codelist ${list}`));
      }
    }
    const { desil, desil_ranking_date: ranked } = c.disaggregation;
    if ((desil === undefined) !== (ranked === undefined) || (ranked !== undefined && !isoDate(ranked))) {
      errors.push(
        fieldError(
          `/category_option_combos/${i}/disaggregation`,
          'inconsistent',
          'desil dan desil_ranking_date (YYYY-MM-DD) diberikan bersama',
          'desil and desil_ranking_date (YYYY-MM-DD) go together',
        ),
      );
    }
  });
  mapping.org_units.forEach((o, i) => {
    const pointer = `/org_units/${i}/region`;
    if (!context.existingRegions.has(o.region)) errors.push(fieldError(pointer, 'unknown-code', `wilayah "${o.region}" tidak ada dalam kode Kemendagri`, `region "${o.region}" is not a Kemendagri code`));
    else if (context.jurisdiction !== null && !isWithin(o.region, context.jurisdiction)) {
      errors.push(fieldError(pointer, 'outside-jurisdiction', `wilayah "${o.region}" di luar wilayah instansi (${context.jurisdiction})`, `region "${o.region}" is outside the agency's region (${context.jurisdiction})`));
    }
  });
  return errors;
}

/** A mapping read both ways: DHIS2 codes to the service's, and back for the export. */
export interface MappingIndex {
  dataSet: string | null;
  kemendagriOrgUnits: boolean;
  indicatorOf: ReadonlyMap<string, string>;
  disaggregationOf: ReadonlyMap<string, Disaggregation>;
  regionOf: ReadonlyMap<string, string>;
  dataElementOf: ReadonlyMap<string, string>;
  /** Keyed by disaggKey; the total is `default` unless a combo is mapped to it. */
  comboOf: ReadonlyMap<string, string>;
  orgUnitOf: ReadonlyMap<string, string>;
}

export function indexMapping(mapping: Dhis2Mapping): MappingIndex {
  const combos = new Map(mapping.category_option_combos.map((c) => [c.code, c.disaggregation]));
  if (!combos.has(DEFAULT_COMBO)) combos.set(DEFAULT_COMBO, {});
  const comboOf = new Map(mapping.category_option_combos.map((c) => [disaggKey(c.disaggregation), c.code]));
  if (!comboOf.has('')) comboOf.set('', DEFAULT_COMBO);
  return {
    dataSet: mapping.data_set,
    kemendagriOrgUnits: mapping.kemendagri_org_units,
    indicatorOf: new Map(mapping.data_elements.map((d) => [d.code, d.indicator])),
    disaggregationOf: combos,
    regionOf: new Map(mapping.org_units.map((o) => [o.code, o.region])),
    dataElementOf: new Map(mapping.data_elements.map((d) => [d.indicator, d.code])),
    comboOf,
    orgUnitOf: new Map(mapping.org_units.map((o) => [o.region, o.code])),
  };
}
