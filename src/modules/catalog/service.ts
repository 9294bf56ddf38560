import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/app-error.js';
import { buildCatalog, type CatalogIndicator } from './graph.js';
import type { Resource } from './rdf.js';
import { catalogIndicators, countCatalogDatasets, listCatalogDatasets, publishedPeriods, publishedRegions } from './repository.js';

/** Datasets per catalogue page: a page stays well under ckanext-dcat's 50 MB per response. */
export const CATALOG_PAGE_SIZE = 100;

export interface CatalogRequest {
  baseUrl: string;
  publisherName: string;
  page: number;
  /** The page IRI of page n, keeping any format the caller asked for. */
  pageUrl(n: number): string;
}

/** One page of the DCAT-AP catalogue of the open datasets, as RDF resources. */
export async function catalogPage(db: Kysely<DB>, req: CatalogRequest): Promise<Resource[]> {
  const total = await countCatalogDatasets(db);
  const last = Math.max(1, Math.ceil(total / CATALOG_PAGE_SIZE));
  if (req.page > last) throw new AppError('CATALOG_PAGE_NOT_FOUND', { page: req.page, last });
  const rows = await listCatalogDatasets(db, { offset: (req.page - 1) * CATALOG_PAGE_SIZE, limit: CATALOG_PAGE_SIZE });
  const ids = rows.map((r) => r.id);
  const [periods, regions, indicators] = await Promise.all([
    publishedPeriods(db, ids),
    publishedRegions(db, ids),
    catalogIndicators(db, [...new Set(rows.flatMap((r) => r.indicator_codes))]),
  ]);
  return buildCatalog({
    baseUrl: req.baseUrl,
    publisherName: req.publisherName,
    indicators: new Map<string, CatalogIndicator>(indicators.map((i) => [i.code, i])),
    page: { number: req.page, size: CATALOG_PAGE_SIZE, total, url: req.pageUrl },
    datasets: rows.map((r) => ({
      id: r.id,
      title: r.title,
      indicator_codes: r.indicator_codes,
      metadata: r.metadata,
      agency: { code: r.agency_code, name: r.agency_name, jurisdiction: r.jurisdiction_region_code },
      created_at: r.created_at,
      updated_at: r.updated_at,
      published: r.published_version === null || r.published_version === undefined ? null : { version: r.published_version, at: r.published_at ?? null },
      periods: periods.get(r.id) ?? [],
      regions: regions.get(r.id) ?? [],
    })),
  });
}
