/**
 * CSV for Excel on a Chinese Windows desktop: UTF-8 with a BOM (without it Excel reads the
 * file as GBK and the headers turn to mojibake), CRLF line ends, every cell quoted.
 */

/** Excel runs a cell that starts with one of these as a formula (CSV injection, OWASP). */
const FORMULA_START = /^[=+\-@\t\r]/;
export const BOM = '\uFEFF';

export type CsvValue = string | number | boolean | null | undefined;

/**
 * One cell, quoted, with a leading `'` on anything a spreadsheet would run as a formula:
 * a note typed as 「=HYPERLINK(...)」 by a site must reach the auditor as text. Numbers are
 * written as numbers (a negative number is not text anyone typed).
 */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '""';
  if (typeof value === 'number') return Number.isFinite(value) ? `"${value}"` : '""';
  let s = String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

/** The whole file: BOM, a header row, then one row per record. */
export function toCsv(headers: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  const lines = [headers.map(csvCell).join(','), ...rows.map((r) => r.map(csvCell).join(','))];
  return `${BOM}${lines.join('\r\n')}\r\n`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-12-06 14:03:05", local time: Excel reads it as a date-time in any locale. */
export function csvTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "调度台-签收记录-20261206-1403.csv": what a file is and when it was taken, sortable. */
export function csvName(what: string, now = new Date()): string {
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}`;
  return `${what.replace(/[\\/:*?"<>|\s]+/g, '_')}-${stamp}.csv`;
}

/** Hands the file to the browser as a download (no server round trip: the data is on screen). */
export function downloadCsv(name: string, csv: string): void {
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
