import { csvField, type FieldResult, type TableSpec } from '#domain';

/** One row of 应急物资.csv: an item with its depot (the depot's name is for people; import keys on the id). */
export interface StockCsvRow {
  depotId: string;
  depotName: string | null;
  code: string;
  name: string;
  quantity: number;
  unit: string;
  expiresAt: string | null;
  minimum: number | null;
  lastInspectedAt: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const date = (v: string | null) => v ?? '';

/** A bare date typed in a spreadsheet is that day in Beijing, as the console's date fields are. */
function beijingDate(raw: string): FieldResult<string | null> {
  const r = csvField.optionalDate(raw);
  return r.ok && r.value && /^\d{4}-\d{2}-\d{2}$/.test(r.value)
    ? { ok: true, value: `${r.value}T00:00:00+08:00` }
    : r;
}

export const STOCK_CSV: TableSpec<StockCsvRow> = {
  columns: [
    {
      header: '库点编号',
      key: 'depotId',
      parse: (raw) =>
        UUID.test(raw.trim())
          ? { ok: true, value: raw.trim().toLowerCase() }
          : { ok: false, message: '应为库点编号（UUID）' },
      format: (r) => r.depotId,
    },
    {
      header: '库点名称',
      key: 'depotName',
      parse: csvField.optionalText(200),
      format: (r) => r.depotName ?? '',
    },
    { header: '物资编码', key: 'code', parse: csvField.text(20), format: (r) => r.code },
    { header: '物资名称', key: 'name', parse: csvField.text(200), format: (r) => r.name },
    {
      header: '数量',
      key: 'quantity',
      parse: csvField.int(0, 1_000_000_000),
      format: (r) => String(r.quantity),
    },
    { header: '单位', key: 'unit', parse: csvField.text(20), format: (r) => r.unit },
    { header: '有效期至', key: 'expiresAt', parse: beijingDate, format: (r) => date(r.expiresAt) },
    {
      header: '储备下限',
      key: 'minimum',
      parse: csvField.int(0, 1_000_000_000, false),
      format: (r) => (r.minimum === null ? '' : String(r.minimum)),
    },
    {
      header: '最近检查',
      key: 'lastInspectedAt',
      parse: beijingDate,
      format: (r) => date(r.lastInspectedAt),
    },
  ],
};
