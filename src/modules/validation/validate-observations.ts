import { REGION_CODE_PATTERN } from '../regions/region-code.js';
import type { ValidationContext } from './context.js';
import { codeText, hasError, makeFinding, type Location } from './finding-builder.js';
import type { Bilingual, Finding, Observation, RawObservation } from './finding.js';
import { checkInterop } from './interop-rules.js';
import { checkRegion } from './kode-referensi-rules.js';
import { checkStandarData } from './standar-data-rules.js';

/**
 * Runs every per-observation rule over a push, batch by batch, and keeps the observations
 * no error blocks. One validator serves one push: it remembers keys across batches.
 */

export interface ObservationBatchResult {
  accepted: Observation[];
  findings: Finding[];
}

export interface ObservationValidator {
  check(raws: readonly RawObservation[], ctx: ValidationContext): ObservationBatchResult;
}

export interface BatchCodes {
  /** Distinct indicator codes, trimmed as the rules look them up. */
  indicators: string[];
  /** Distinct well-formed region codes; malformed ones are reported without a lookup. */
  regions: string[];
}

const REGION_CODE = new RegExp(REGION_CODE_PATTERN);

/** The codes a batch names, so the service can fetch their facts in one query each. */
export function collectCodes(raws: readonly RawObservation[]): BatchCodes {
  const indicators = new Set<string>();
  const regions = new Set<string>();
  for (const raw of raws) {
    const indicator = codeText(raw.indicator);
    if (indicator !== undefined) indicators.add(indicator);
    if (typeof raw.region === 'string' && REGION_CODE.test(raw.region)) regions.add(raw.region);
  }
  return { indicators: [...indicators], regions: [...regions] };
}

// Unit separator: accepted codes are validated text and never contain control characters.
const KEY_SEPARATOR = '\u001f';

function keyOf(o: Observation): string {
  const d = o.disagg;
  return [o.indicator_code, o.region_code, o.period, d.sex, d.age_group, d.disability, d.desil, d.desil_ranking_date]
    .map((part) => part ?? '')
    .join(KEY_SEPARATOR);
}

function describeKey(o: Observation): string {
  const d = o.disagg;
  const parts = [o.indicator_code, o.region_code, o.period];
  for (const [name, code] of Object.entries(d)) if (code !== undefined) parts.push(`${name}=${code}`);
  return parts.join(' · ');
}

type Place = number | string | undefined;

function placeOf(at: Location): Place {
  return at.row ?? at.pointer;
}

function placeText(place: Place, unplaced: Bilingual): Bilingual {
  if (typeof place === 'number') return { id: `baris ${place}`, en: `row ${place}` };
  if (typeof place === 'string') return { id: place, en: place };
  return unplaced;
}

function duplicateFinding(raw: RawObservation, o: Observation, first: Place): Finding {
  const earlier = placeText(first, { id: 'pengamatan sebelumnya', en: 'an earlier observation' });
  const here = placeText(placeOf(raw), { id: 'pengamatan ini', en: 'this observation' });
  return makeFinding(raw, 'interoperabilitas', {
    code: 'IO_DUPLICATE_KEY',
    severity: 'error',
    value: describeKey(o),
    message: {
      id: `${here.id.charAt(0).toUpperCase()}${here.id.slice(1)} mengulang kunci (indikator, wilayah, periode, pemilahan) yang sudah ada di ${earlier.id}: ${describeKey(o)}.`,
      en: `${here.en.charAt(0).toUpperCase()}${here.en.slice(1)} repeats the key (indicator, region, period, disaggregation) already given at ${earlier.en}: ${describeKey(o)}.`,
    },
    hint: {
      id: `Satu angka per kunci: hapus salah satu baris (${earlier.id} atau ${here.id}), atau bedakan pemilahannya bila keduanya angka yang berbeda.`,
      en: `One figure per key: remove one of the rows (${earlier.en} or ${here.en}), or tell them apart by disaggregation if they are different figures.`,
    },
  });
}

export function createObservationValidator(options: { decimalComma: boolean }): ObservationValidator {
  // Key of every observation accepted so far in this push → where it came from (a row number
  // or a JSON pointer). The key is ~30–60 characters, so an entry costs roughly 150 bytes with
  // the Map's own overhead: about 150 MB for a million observations. That bounds the size of
  // one push; the unique index on the observations table remains the final guard.
  const seen = new Map<string, Place>();

  return {
    check(raws, ctx) {
      const accepted: Observation[] = [];
      const findings: Finding[] = [];
      for (const raw of raws) {
        const interop = checkInterop(raw);
        // A cell interop rejected (a NIK, several values) is not judged again by later rules:
        // one finding per cell, and no second rule quoting a personal number.
        const judged = new Set(interop.filter((f) => f.severity === 'error').map((f) => f.column));
        const region = checkRegion(raw, ctx);
        const standar = checkStandarData(raw, ctx, options);
        const own = [...interop, ...region, ...standar.findings].filter(
          (f) => f.principle === 'interoperabilitas' || !judged.has(f.column),
        );
        findings.push(...own);
        if (hasError(own) || !standar.observation || typeof raw.region !== 'string') continue;

        const observation: Observation = { ...standar.observation, region_code: raw.region };
        const key = keyOf(observation);
        const first = seen.get(key);
        if (seen.has(key)) {
          findings.push(duplicateFinding(raw, observation, first));
          continue;
        }
        seen.set(key, placeOf(raw));
        accepted.push(observation);
      }
      return { accepted, findings };
    },
  };
}
