import { stringify } from 'csv-stringify/sync';
import { OBSERVATION_COLUMNS } from '../../domain/columns.js';

export interface TemplateIndicator {
  code: string;
  name: string;
  unit: string;
  disaggregations: string[];
}

export interface TemplateInput {
  title: string;
  region: string;
  period: string;
  indicators: TemplateIndicator[];
}

/** One example row per indicator, with what the agency knows already filled in. */
function rows(input: TemplateInput): Record<string, string>[] {
  return input.indicators.map((i) => ({ indicator: i.code, region: input.region, period: input.period, value: '', unit: i.unit }));
}

export function templateCsv(input: TemplateInput): string {
  return stringify(rows(input), { header: true, columns: OBSERVATION_COLUMNS.map((c) => c.name), bom: true });
}

/**
 * The Excel template keeps code columns as text: typed into a number cell, region 11.10
 * becomes 11.1 and is lost, which is the most common way regional data breaks.
 */
export async function templateXlsx(input: TemplateInput): Promise<Buffer> {
  // Loaded on first use, not at start: exceljs alone takes about a second to load.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Satu Data Exchange';
  const data = workbook.addWorksheet('data');
  data.columns = OBSERVATION_COLUMNS.map((c) => ({ header: c.name, key: c.name, width: Math.max(12, c.name.length + 4) }));
  for (const key of ['indicator', 'region', 'period', 'obs_status', 'sex', 'age_group', 'disability', 'desil', 'desil_ranking_date']) {
    data.getColumn(key).numFmt = '@';
  }
  data.addRows(rows(input));
  data.getRow(1).font = { bold: true };
  data.views = [{ state: 'frozen', ySplit: 1 }];

  const guide = workbook.addWorksheet('petunjuk');
  guide.columns = [
    { header: 'kolom / column', key: 'name', width: 22 },
    { header: 'alias', key: 'alias', width: 26 },
    { header: 'wajib / required', key: 'required', width: 16 },
    { header: 'keterangan / description', key: 'description', width: 90 },
  ];
  guide.addRows(OBSERVATION_COLUMNS.map((c) => ({ name: c.name, alias: c.alias, required: c.required ? 'ya' : 'tidak', description: c.description })));
  guide.addRow({});
  guide.addRow({ name: 'indikator', alias: 'satuan / unit', required: '', description: `terpilah menurut / disaggregations (${input.title})` });
  for (const i of input.indicators) guide.addRow({ name: i.code, alias: i.unit, description: `${i.name} — ${i.disaggregations.join(', ') || '-'}` });
  guide.getRow(1).font = { bold: true };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
