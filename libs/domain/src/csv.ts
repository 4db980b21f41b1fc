/**
 * CSV (RFC 4180) for list export and import, free of I/O. Files are written the way Excel and
 * WPS on a zh-CN Windows desktop open them without garbling: UTF-8 with a BOM, CRLF line ends.
 * Messages are zh-CN (the header row is too): the console shows them to the person importing.
 */

export interface CsvLimits {
  /** data rows after the header */
  maxRows: number;
  maxColumns: number;
  /** characters in one field */
  maxFieldLength: number;
}

export const CSV_LIMITS: CsvLimits = { maxRows: 5000, maxColumns: 40, maxFieldLength: 2000 };

/** Where and why a CSV is refused; `line` is 1-based and counts the header row. */
export interface CsvIssue {
  line: number;
  /** 1-based, when one field is at fault */
  column?: number;
  message: string;
}

/** One record with the physical line it starts on (a quoted field may span lines). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

export type CsvParsed = { ok: true; records: CsvRecord[] } | { ok: false; issue: CsvIssue };

const BOM = '\uFEFF';

/**
 * Parses RFC 4180 text: fields quoted with ", "" inside quotes is one ", records end in CRLF
 * or LF, a leading BOM is dropped, a final line end does not make an empty record. `maxRows`
 * counts every record including the header.
 */
export function parseCsv(input: string, limits: CsvLimits = CSV_LIMITS): CsvParsed {
  const text = input.startsWith(BOM) ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const fail = (message: string, at = line, column?: number): CsvParsed => ({
    ok: false,
    issue: { line: at, ...(column ? { column } : {}), message },
  });
  const pushField = (): CsvParsed | null => {
    if (field.length > limits.maxFieldLength)
      return fail(
        `第${recordLine}行第${fields.length + 1}列超过${limits.maxFieldLength}个字符`,
        recordLine,
        fields.length + 1,
      );
    fields.push(field);
    field = '';
    if (fields.length > limits.maxColumns)
      return fail(`第${recordLine}行超过${limits.maxColumns}列`, recordLine);
    return null;
  };
  const pushRecord = (): CsvParsed | null => {
    records.push({ line: recordLine, fields });
    fields = [];
    if (records.length > limits.maxRows + 1) return fail(`超过${limits.maxRows}行数据`, recordLine);
    return null;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '"' && field === '') {
      const startLine = line;
      i++;
      for (;;) {
        if (i >= text.length) return fail(`第${startLine}行的引号没有闭合`, startLine, fields.length + 1);
        const q = text[i];
        if (q === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (q === '\n') line++;
        field += q;
        if (field.length > limits.maxFieldLength)
          return fail(
            `第${startLine}行第${fields.length + 1}列超过${limits.maxFieldLength}个字符`,
            startLine,
            fields.length + 1,
          );
        i++;
      }
      const next = text[i];
      if (i < text.length && next !== ',' && next !== '\r' && next !== '\n')
        return fail(`第${line}行第${fields.length + 1}列：引号后只能是逗号或换行`, line, fields.length + 1);
      continue;
    }
    if (c === ',') {
      const bad = pushField();
      if (bad) return bad;
      i++;
      continue;
    }
    if (c === '\r' || c === '\n') {
      const bad = pushField() ?? pushRecord();
      if (bad) return bad;
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    if (c === '"')
      return fail(`第${line}行第${fields.length + 1}列：未加引号的字段中不能有引号`, line, fields.length + 1);
    field += c;
    i++;
  }
  if (field !== '' || fields.length > 0) {
    const bad = pushField() ?? pushRecord();
    if (bad) return bad;
  }
  return { ok: true, records };
}

/** Spreadsheets run a cell that starts with one of these as a formula (CSV injection). */
const FORMULA_START = /^'*[=+\-@\t\r]/;

/** A leading ' makes Excel and WPS show the text instead of running it. */
export function guardFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The inverse of guardFormula, so an exported file imports back to the same values. */
export function unguardFormula(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value) ? value.slice(1) : value;
}

function quote(value: string): string {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** BOM, CRLF after every record, quotes where needed, formula starts guarded. */
export function serializeCsv(rows: readonly (readonly string[])[]): string {
  return BOM + rows.map((r) => r.map((f) => quote(guardFormula(f))).join(',') + '\r\n').join('');
}

// ---- table spec: a header row of zh names, one typed parser per column ----

export type FieldResult<V> = { ok: true; value: V } | { ok: false; message: string };

export interface CsvColumn<T> {
  /** the zh header cell */
  header: string;
  key: keyof T & string;
  parse: (raw: string) => FieldResult<unknown>;
  format: (row: T) => string;
}

export interface TableSpec<T> {
  columns: readonly CsvColumn<T>[];
}

export type TableRead<T> = { ok: true; rows: { line: number; value: T }[] } | { ok: false; issue: CsvIssue };

/**
 * Reads a whole table or refuses it at its first fault: the header must be exactly the
 * spec's, each row must have every column and each field must parse. Blank lines are skipped.
 */
export function readTable<T>(text: string, spec: TableSpec<T>, limits: CsvLimits = CSV_LIMITS): TableRead<T> {
  const parsed = parseCsv(text, limits);
  if (!parsed.ok) return parsed;
  const [head, ...body] = parsed.records;
  const expected = spec.columns.map((c) => c.header);
  const got = head ? head.fields.map((h) => h.trim()) : [];
  if (got.join(',') !== expected.join(','))
    return { ok: false, issue: { line: 1, message: `第1行表头应为：${expected.join(',')}` } };
  const rows: { line: number; value: T }[] = [];
  for (const rec of body) {
    if (rec.fields.length === 1 && rec.fields[0].trim() === '') continue;
    if (rec.fields.length !== expected.length)
      return {
        ok: false,
        issue: {
          line: rec.line,
          message: `第${rec.line}行应有${expected.length}列，实有${rec.fields.length}列`,
        },
      };
    const value: Record<string, unknown> = {};
    for (const [j, col] of spec.columns.entries()) {
      const r = col.parse(unguardFormula(rec.fields[j]));
      if (!r.ok)
        return {
          ok: false,
          issue: {
            line: rec.line,
            column: j + 1,
            message: `第${rec.line}行第${j + 1}列（${col.header}）：${r.message}`,
          },
        };
      value[col.key] = r.value;
    }
    rows.push({ line: rec.line, value: value as T });
  }
  return { ok: true, rows };
}

/** The header row and one record per row, ready to send as text/csv. */
export function writeTable<T>(rows: readonly T[], spec: TableSpec<T>): string {
  return serializeCsv([
    spec.columns.map((c) => c.header),
    ...rows.map((r) => spec.columns.map((c) => c.format(r))),
  ]);
}

// ---- field parsers shared by the import specs ----

const ok = <V>(value: V): FieldResult<V> => ({ ok: true, value });
const no = (message: string): FieldResult<never> => ({ ok: false, message });

export const csvField = {
  text:
    (max: number, required = true) =>
    (raw: string): FieldResult<string> => {
      const v = raw.trim();
      if (required && !v) return no('不能为空');
      return v.length > max ? no(`不能超过${max}个字符`) : ok(v);
    },
  optionalText:
    (max: number) =>
    (raw: string): FieldResult<string | null> => {
      const v = raw.trim();
      if (!v) return ok(null);
      return v.length > max ? no(`不能超过${max}个字符`) : ok(v);
    },
  /** a whole number in [min, max]; empty is null when optional */
  int:
    (min: number, max: number, required = true) =>
    (raw: string): FieldResult<number | null> => {
      const v = raw.trim();
      if (!v) return required ? no('不能为空') : ok(null);
      if (!/^-?\d+$/.test(v)) return no('应为整数');
      const n = Number(v);
      return n < min || n > max ? no(`应在${min}到${max}之间`) : ok(n);
    },
  /** an ISO date (2026-12-07) or date-time; empty is null */
  optionalDate: (raw: string): FieldResult<string | null> => {
    const v = raw.trim();
    if (!v) return ok(null);
    if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) || Number.isNaN(Date.parse(v)))
      return no('应为日期，如2026-12-07');
    return ok(v);
  },
  /** 是/否 (also true/false, 1/0) */
  yesNo: (raw: string): FieldResult<boolean> => {
    const v = raw.trim().toLowerCase();
    if (['是', 'true', '1'].includes(v)) return ok(true);
    if (['否', 'false', '0'].includes(v)) return ok(false);
    return no('应为“是”或“否”');
  },
  /** values split on ; or ；(a phone list), each at most `max` characters */
  list:
    (max: number, maxItems: number) =>
    (raw: string): FieldResult<string[]> => {
      const items = raw
        .split(/[;；]/)
        .map((s) => s.trim())
        .filter(Boolean);
      if (items.length > maxItems) return no(`最多${maxItems}项`);
      const long = items.find((s) => s.length > max);
      return long ? no(`“${long.slice(0, 20)}”超过${max}个字符`) : ok(items);
    },
};
