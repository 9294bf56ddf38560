import { makeFinding, type Location } from '../../domain/finding-builder.js';
import type { Finding, RawObservation } from '../../domain/finding.js';
import { DEFAULT_COMBO, type MappingIndex } from './mapping-rules.js';
import { fromDhis2Period } from './periods.js';

/** One DHIS2 data value as received: any JSON value (or CSV text) in each field. */
export interface Dhis2DataValue {
  dataElement?: unknown;
  period?: unknown;
  orgUnit?: unknown;
  categoryOptionCombo?: unknown;
  attributeOptionCombo?: unknown;
  value?: unknown;
  comment?: unknown;
  deleted?: unknown;
}

/** What a data value set gives the values that do not say it themselves. */
export interface Dhis2Defaults {
  period?: unknown;
  orgUnit?: unknown;
  attributeOptionCombo?: unknown;
}

type Field = 'dataElement' | 'period' | 'orgUnit' | 'categoryOptionCombo' | 'attributeOptionCombo' | 'deleted';

/** Where a data value sits: a JSON pointer per field, or a CSV row with DHIS2's column names. */
export interface ValuePlace {
  at(field: Field): Location;
  column(field: Field): string;
  /** Where the value itself sits, for the observation it becomes. */
  self: Location;
}

export function jsonPlace(index: number): ValuePlace {
  return { at: (field) => ({ pointer: `/dataValues/${index}/${field}` }), column: (field) => field, self: { pointer: `/dataValues/${index}` } };
}

const CSV_COLUMNS: Record<Field, string> = {
  dataElement: 'dataelement',
  period: 'period',
  orgUnit: 'orgunit',
  categoryOptionCombo: 'categoryoptioncombo',
  attributeOptionCombo: 'attributeoptioncombo',
  deleted: 'deleted',
};

export function csvPlace(row: number): ValuePlace {
  return { at: () => ({ row }), column: (field) => CSV_COLUMNS[field], self: { row } };
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : undefined);
const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/**
 * One DHIS2 data value as the observation it stands for, or the findings that say why it
 * cannot be read. Codes are read through the dataset's mapping (idScheme=CODE); what the
 * mapping lets through (the region, the period's fit to the indicator, the value) is left to
 * the same validation every push gets.
 */
export function translateValue(value: Dhis2DataValue, defaults: Dhis2Defaults, mapping: MappingIndex, place: ValuePlace): { observation?: RawObservation; findings: Finding[] } {
  const findings: Finding[] = [];
  const fail = (field: Field, code: string, principle: 'interoperabilitas' | 'kode-referensi', received: unknown, message: { id: string; en: string }, hint?: { id: string; en: string }) =>
    findings.push(makeFinding(place.at(field), principle, { code, severity: 'error', column: place.column(field), value: received, message, ...(hint ? { hint } : {}) }));
  const missing = (field: Field) =>
    fail(field, 'DHIS2_FIELD_MISSING', 'interoperabilitas', undefined, { id: `nilai data tanpa ${field}`, en: `a data value without ${field}` }, {
      id: `isi ${field} pada nilai data atau pada himpunan nilai datanya`,
      en: `give ${field} on the data value or on its data value set`,
    });

  const dataElement = text(value.dataElement);
  const indicator = dataElement === undefined ? undefined : mapping.indicatorOf.get(dataElement);
  if (dataElement === undefined) missing('dataElement');
  else if (indicator === undefined) {
    fail('dataElement', 'DHIS2_UNKNOWN_DATA_ELEMENT', 'kode-referensi', dataElement, { id: `data element "${dataElement}" tidak ada dalam pemetaan DHIS2 dataset ini`, en: `data element "${dataElement}" is not in this dataset's DHIS2 mapping` }, {
      id: 'tambahkan kodenya di PUT /v1/datasets/{id}/dhis2/mapping, atau kirim kode (idScheme=CODE), bukan UID',
      en: 'add its code with PUT /v1/datasets/{id}/dhis2/mapping, or send codes (idScheme=CODE), not UIDs',
    });
  }

  const periodText = text(value.period) ?? text(defaults.period);
  const reading = periodText === undefined ? undefined : fromDhis2Period(periodText);
  if (periodText === undefined || reading === undefined) missing('period');
  else if (!reading.ok) {
    const message =
      reading.reason === 'unsupported'
        ? { id: `periode DHIS2 "${periodText}" berjenis ${reading.type}, yang tidak dipakai layanan ini`, en: `DHIS2 period "${periodText}" is of type ${reading.type}, which this service does not hold` }
        : { id: `"${periodText}" bukan periode DHIS2`, en: `"${periodText}" is not a DHIS2 period` };
    fail('period', reading.reason === 'unsupported' ? 'DHIS2_PERIOD_UNSUPPORTED' : 'DHIS2_PERIOD_MALFORMED', 'interoperabilitas', periodText, message, {
      id: 'tulis periode tahunan (2024), semesteran (2024S1), triwulanan (2024Q3) atau bulanan (202407)',
      en: 'write a yearly (2024), six-monthly (2024S1), quarterly (2024Q3) or monthly (202407) period',
    });
  }

  const orgUnit = text(value.orgUnit) ?? text(defaults.orgUnit);
  const region = orgUnit === undefined ? undefined : (mapping.regionOf.get(orgUnit) ?? (mapping.kemendagriOrgUnits ? orgUnit : undefined));
  if (orgUnit === undefined) missing('orgUnit');
  else if (region === undefined) {
    fail('orgUnit', 'DHIS2_UNKNOWN_ORG_UNIT', 'kode-referensi', orgUnit, { id: `org unit "${orgUnit}" tidak ada dalam pemetaan DHIS2 dataset ini`, en: `org unit "${orgUnit}" is not in this dataset's DHIS2 mapping` }, {
      id: 'petakan kodenya ke kode wilayah Kemendagri, atau pakai kode Kemendagri sebagai kode org unit',
      en: 'map its code to a Kemendagri region code, or use Kemendagri codes as org unit codes',
    });
  }

  const combo = blank(value.categoryOptionCombo) ? DEFAULT_COMBO : text(value.categoryOptionCombo);
  const disaggregation = combo === undefined ? undefined : mapping.disaggregationOf.get(combo);
  if (disaggregation === undefined) {
    fail('categoryOptionCombo', 'DHIS2_UNKNOWN_CATEGORY_OPTION_COMBO', 'kode-referensi', value.categoryOptionCombo, {
      id: `category option combo "${combo ?? String(value.categoryOptionCombo)}" tidak ada dalam pemetaan DHIS2 dataset ini`,
      en: `category option combo "${combo ?? String(value.categoryOptionCombo)}" is not in this dataset's DHIS2 mapping`,
    });
  }

  const attribute = blank(value.attributeOptionCombo) ? defaults.attributeOptionCombo : value.attributeOptionCombo;
  if (!blank(attribute) && text(attribute) !== DEFAULT_COMBO) {
    fail('attributeOptionCombo', 'DHIS2_ATTRIBUTE_OPTION_COMBO_UNSUPPORTED', 'interoperabilitas', attribute, {
      id: 'attribute option combo selain "default" tidak dipakai: sumber data sudah jelas dari instansi pengirim',
      en: 'attribute option combos other than "default" are not held: the source is the pushing agency',
    });
  }

  if (value.deleted === true || (typeof value.deleted === 'string' && value.deleted.trim().toLowerCase() === 'true')) {
    fail('deleted', 'DHIS2_DELETE_UNSUPPORTED', 'interoperabilitas', value.deleted, {
      id: 'nilai yang dihapus tidak dapat dikirim: setiap kiriman adalah versi baru yang menggantikan seluruh versi sebelumnya',
      en: 'deleted values cannot be pushed: every push is a new version that supersedes the whole previous one',
    }, { id: 'kirim versi baru tanpa nilai ini', en: 'push a new version without this value' });
  }

  if (findings.length > 0) return { findings };
  const observation: RawObservation = { ...place.self, indicator, region, period: (reading as { period: string }).period, value: value.value };
  if (!blank(value.comment)) observation.note = value.comment;
  for (const [dimension, code] of Object.entries(disaggregation!)) observation[dimension as keyof RawObservation] = code as never;
  return { observation, findings };
}
