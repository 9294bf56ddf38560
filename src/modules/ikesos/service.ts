import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/app-error.js';
import { levelName } from '../../domain/region-code.js';
import { siblingCodes } from '../regions/repository.js';
import type { MethodologyConfig } from './methodology.js';
import { findMethodology, methodologyInForce, officialScores, scoreListInputs, scoringFigures, selectedRegions, type MethodologyRow, type RegionSelection } from './repository.js';
import { scoreAll, scoreRegion, type FigureInput } from './scoring.js';
import { sensitivity } from './sensitivity.js';

const PROVISIONAL_NOTICE = {
  id: 'Metodologi sementara: Kementerian Sosial belum menerbitkan bobot dan normalisasi IKESOS resmi; skor ini untuk perencanaan, bukan angka resmi.',
  en: 'Provisional methodology: the Ministry of Social Affairs has not published official IKESOS weights or normalisation; these scores are for planning, not official figures.',
};

/** Names the methodology in every response that used it, and says so when it is provisional. */
export function methodologyLabel(row: MethodologyRow) {
  return { id: row.id, version: row.version, name: row.name, status: row.status, provisional: row.provisional, notice: row.provisional ? PROVISIONAL_NOTICE : null };
}

/** The methodology asked for, or the one in force now or at `asOf`. */
export async function methodologyFor(db: Kysely<DB>, id: string | undefined, asOf: string | undefined): Promise<MethodologyRow> {
  const row = id ? await findMethodology(db, id) : await methodologyInForce(db, asOf);
  if (!row) throw new AppError('METHODOLOGY_NOT_FOUND', { id: id ?? (asOf ? `in force at ${asOf}` : 'active') });
  return row;
}

const codesOf = (config: MethodologyConfig) => config.dimensions.flatMap((d) => d.indicators.map((i) => i.code));

/** The indicators a methodology scores from: its scores change only when their figures do. */
export const methodologyIndicators = (row: MethodologyRow) => codesOf(row.config as unknown as MethodologyConfig);

/** Where a reconciled figure came from, echoed in the explanation. */
interface Provenance {
  value: string | null;
  method: string | null;
  source_agency: string | null;
  source_dataset_id: string | null;
  source_version: number | null;
  conflict_id: string | null;
}

/** Who reads a score: consumers get it from the figures the pull API would serve them only. */
interface Reader {
  hideClosed: boolean;
}

/**
 * Every region's reconciled figures for the methodology's indicators, with their provenance.
 * A restricted figure has none: it is listed as left out, and the explanation names no source.
 */
async function figuresByRegion(db: Kysely<DB>, config: MethodologyConfig, regions: string[], period: string, q: Reader & { asOf?: string | undefined }) {
  const rows = await scoringFigures(db, { indicators: codesOf(config), regions, period, asOf: q.asOf, hideClosed: q.hideClosed });
  const byRegion = new Map<string, Map<string, FigureInput & { provenance?: Provenance }>>(regions.map((r) => [r, new Map()]));
  for (const r of rows) {
    const provenance: Provenance = {
      value: r.value,
      method: r.method,
      source_agency: r.source_agency,
      source_dataset_id: r.source_dataset_id,
      source_version: r.source_version,
      conflict_id: r.conflict_id,
    };
    byRegion.get(r.region_code)!.set(r.indicator_code, {
      status: r.status,
      value: r.value === null ? null : Number(r.value),
      ...(r.status === 'restricted' ? {} : { provenance }),
    });
  }
  return byRegion;
}

async function officialBeside(db: Kysely<DB>, regions: string[], period: string, asOf: string | undefined) {
  const rows = await officialScores(db, regions, period, asOf);
  return new Map(rows.map((r) => [r.region_code, r]));
}

type OfficialRow = Pick<Awaited<ReturnType<typeof officialScores>>[number], 'score' | 'category' | 'source' | 'loaded_at'>;

function official(row: OfficialRow | null | undefined, score: number | null) {
  if (!row) return null;
  const value = Number(row.score);
  return { score: value, category: row.category, source: row.source, loaded_at: row.loaded_at.toISOString(), difference: score === null ? null : round(score - value) };
}

const round = (n: number) => Math.round(n * 100) / 100;

export async function computeScores(db: Kysely<DB>, q: Reader & { period: string; selection: RegionSelection; methodology: MethodologyRow; asOf?: string | undefined }) {
  const { methodology } = q;
  const config = methodology.config as unknown as MethodologyConfig;
  const regions = await scoreListInputs(db, { indicators: codesOf(config), selection: q.selection, period: q.period, asOf: q.asOf, hideClosed: q.hideClosed });
  const { scores, ranks, compared } = scoreAll(config, new Map(regions.map((r) => [r.code, r.figures])));
  return {
    methodology: methodologyLabel(methodology),
    period: q.period,
    as_of: q.asOf ?? null,
    compared,
    data: regions.map((r) => {
      const s = scores.get(r.code)!;
      return {
        region: r.code,
        region_name: r.name,
        region_level: levelName(r.level),
        score: s.score === null ? null : round(s.score),
        category: s.category,
        rank: ranks.get(r.code) ?? null,
        coverage: s.coverage,
        reason: s.reason,
        dimensions: s.dimensions.map((d) => ({ code: d.code, score: d.score === null ? null : round(d.score), present: d.present, expected: d.expected })),
        official: official(r.official, s.score),
      };
    }),
  };
}

/** The regions a single region is ranked against: its siblings (same level, same parent). */
async function peersOf(db: Kysely<DB>, region: string) {
  const [self] = await selectedRegions(db, { region });
  if (!self) throw new AppError('REGION_NOT_FOUND', { code: region });
  return { self, peers: await siblingCodes(db, self) };
}

export async function explainScore(db: Kysely<DB>, region: string, period: string, q: Reader & { methodology?: string | undefined; asOf?: string | undefined }) {
  const methodology = await methodologyFor(db, q.methodology, q.asOf);
  const config = methodology.config as unknown as MethodologyConfig;
  const { self, peers } = await peersOf(db, region);
  const figures = await figuresByRegion(db, config, peers, period, q);
  const { ranks, compared, ranges } = scoreAll(config, figures);
  const s = scoreRegion(config, figures.get(region)!, ranges);
  const officials = await officialBeside(db, [region], period, q.asOf);
  return {
    methodology: methodologyLabel(methodology),
    region,
    region_name: self.name,
    period,
    as_of: q.asOf ?? null,
    score: s.score === null ? null : round(s.score),
    category: s.category,
    rank: ranks.get(region) ?? null,
    compared,
    coverage: s.coverage,
    reason: s.reason,
    method: { normalisation: config.normalisation, aggregation: config.aggregation, floor: config.floor, scale: config.scale, coverage: config.coverage, categories: config.categories },
    dimensions: s.dimensions,
    indicators: s.indicators,
    // A disputed figure names its open conflict, so the reader can see who disagrees; a
    // restricted one names nothing (its figure came without provenance).
    left_out: s.indicators
      .filter((i) => i.left_out !== null)
      .map((i) => ({ indicator: i.code, reason: i.left_out!, conflict_id: i.left_out === 'disputed' ? (figures.get(region)!.get(i.code)?.provenance?.conflict_id ?? null) : null })),
    official: official(officials.get(region), s.score),
  };
}

export async function scoreSensitivity(db: Kysely<DB>, region: string, period: string, q: Reader & { methodology?: string | undefined; asOf?: string | undefined }) {
  const methodology = await methodologyFor(db, q.methodology, q.asOf);
  const config = methodology.config as unknown as MethodologyConfig;
  const { peers } = await peersOf(db, region);
  const figures = await figuresByRegion(db, config, peers, period, q);
  const result = sensitivity(config, figures, region);
  const r = (n: number | null) => (n === null ? null : round(n));
  return {
    methodology: methodologyLabel(methodology),
    region,
    period,
    score: r(result.score),
    rank: result.rank,
    compared: result.compared,
    scenarios: result.scenarios.map((s) => ({ ...s, score: r(s.score), delta: r(s.delta) })),
  };
}
