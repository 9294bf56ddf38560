import { REGION_CODE_PATTERN } from '../../domain/region-code.js';
import type { ValidationContext } from './context.js';
import { codeText, hasError } from '../../domain/finding-builder.js';
import type { Finding, Observation, RawObservation } from '../../domain/finding.js';
import { checkInterop } from './interop-rules.js';
import { checkRegion } from './kode-referensi-rules.js';
import { checkStandarData } from './standar-data-rules.js';

/**
 * Runs every per-observation rule over a batch of a push and keeps the observations no error
 * blocks. Keys repeated within a push are found where they are stored (see duplicate-key.ts):
 * the primary key sees the whole push while memory holds one batch.
 */

export interface ObservationBatchResult {
  accepted: Observation[];
  findings: Finding[];
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

/** The observation checkStandarData built, completed with its region (its own object: no copy per row). */
function placed(observation: Omit<Observation, 'region_code'>, region: string): Observation {
  const complete = observation as Observation;
  complete.region_code = region;
  return complete;
}

export function checkObservations(raws: readonly RawObservation[], ctx: ValidationContext, options: { decimalComma: boolean }): ObservationBatchResult {
  const accepted: Observation[] = [];
  const findings: Finding[] = [];
  for (const raw of raws) {
    const interop = checkInterop(raw);
    const region = checkRegion(raw, ctx);
    const standar = checkStandarData(raw, ctx, options);
    if (interop.length === 0 && region.length === 0 && standar.findings.length === 0) {
      // The common case, without the bookkeeping findings need.
      if (standar.observation && typeof raw.region === 'string') accepted.push(placed(standar.observation, raw.region));
      continue;
    }
    // A cell interop rejected (a NIK, several values) is not judged again by later rules:
    // one finding per cell, and no second rule quoting a personal number.
    const judged = new Set(interop.filter((f) => f.severity === 'error').map((f) => f.column));
    const own = [...interop, ...region, ...standar.findings].filter((f) => f.principle === 'interoperabilitas' || !judged.has(f.column));
    findings.push(...own);
    if (hasError(own) || !standar.observation || typeof raw.region !== 'string') continue;
    accepted.push(placed(standar.observation, raw.region));
  }
  return { accepted, findings };
}
