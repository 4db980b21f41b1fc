import { describe, expect, it } from '@jest/globals';
import {
  csvField,
  guardFormula,
  parseCsv,
  readTable,
  serializeCsv,
  unguardFormula,
  writeTable,
  type TableSpec,
} from './csv.js';

const fieldsOf = (text: string) => {
  const r = parseCsv(text);
  if (!r.ok) throw new Error(r.issue.message);
  return r.records.map((x) => x.fields);
};

describe('parseCsv', () => {
  it('reads quotes, "" escapes, commas and line breaks inside quotes, CRLF and LF', () => {
    expect(fieldsOf('a,b\r\n"x,1","say ""hi"""\n"two\r\nlines",\n')).toEqual([
      ['a', 'b'],
      ['x,1', 'say "hi"'],
      ['two\r\nlines', ''],
    ]);
  });
  it('drops a leading BOM and does not make a record of the final line end', () => {
    expect(fieldsOf('\uFEFF名称,数量\r\n')).toEqual([['名称', '数量']]);
    expect(fieldsOf('a')).toEqual([['a']]);
    expect(fieldsOf('')).toEqual([]);
  });
  it('keeps quoted empty fields and gives each record the line it starts on', () => {
    const r = parseCsv('h1,h2\n"",""\n"a\nb",c\nd,e');
    expect(r.ok && r.records.map((x) => [x.line, x.fields])).toEqual([
      [1, ['h1', 'h2']],
      [2, ['', '']],
      [3, ['a\nb', 'c']],
      [5, ['d', 'e']],
    ]);
  });
  it('refuses an unclosed quote, a stray quote and text after a closing quote, naming the line', () => {
    expect(parseCsv('a\n"open,b\nc')).toEqual({
      ok: false,
      issue: { line: 2, column: 1, message: '第2行的引号没有闭合' },
    });
    const stray = parseCsv('a\nb\nab"c');
    expect(!stray.ok && [stray.issue.line, stray.issue.column]).toEqual([3, 1]);
    const after = parseCsv('a\nx,"q"z');
    expect(!after.ok && [after.issue.line, after.issue.column]).toEqual([2, 2]);
  });
  it('bounds rows, columns and field length', () => {
    const limits = { maxRows: 2, maxColumns: 3, maxFieldLength: 5 };
    expect(parseCsv('h\n1\n2', limits).ok).toBe(true);
    const rows = parseCsv('h\n1\n2\n3', limits);
    expect(!rows.ok && rows.issue.line).toBe(4);
    const cols = parseCsv('a,b,c,d', limits);
    expect(!cols.ok && cols.issue.message).toContain('3列');
    const long = parseCsv('ok\n123456', limits);
    expect(!long.ok && [long.issue.line, long.issue.column]).toEqual([2, 1]);
    const longQuoted = parseCsv('ok\n"123456"', limits);
    expect(longQuoted.ok).toBe(false);
  });
});

describe('serializeCsv', () => {
  it('writes a BOM, CRLF, and quotes only where needed', () => {
    expect(
      serializeCsv([
        ['名称', '备注'],
        ['帐篷', 'a,"b"\nc'],
      ]),
    ).toBe('\uFEFF名称,备注\r\n帐篷,"a,""b""\nc"\r\n');
  });
  it('neutralizes formula starts and reads them back unchanged', () => {
    for (const v of ['=1+1', '+86 138', '-3', '@SUM(A1)', "'=x", "''+y"]) {
      expect(guardFormula(v)).toBe(`'${v}`);
      expect(unguardFormula(guardFormula(v))).toBe(v);
    }
    expect(guardFormula("it's")).toBe("it's");
    expect(unguardFormula("'plain")).toBe("'plain");
  });
  it('round-trips through parseCsv', () => {
    const rows = [
      ['a', ' padded ', ''],
      ['"', 'x\r\ny', '中文,逗号'],
    ];
    expect(fieldsOf(serializeCsv(rows))).toEqual(rows);
  });
});

interface Row {
  name: string;
  quantity: number | null;
  ok: boolean;
  phones: string[];
}
const spec: TableSpec<Row> = {
  columns: [
    { header: '名称', key: 'name', parse: csvField.text(10), format: (r) => r.name },
    {
      header: '数量',
      key: 'quantity',
      parse: csvField.int(0, 100, false),
      format: (r) => String(r.quantity ?? ''),
    },
    { header: '可用', key: 'ok', parse: csvField.yesNo, format: (r) => (r.ok ? '是' : '否') },
    { header: '电话', key: 'phones', parse: csvField.list(20, 3), format: (r) => r.phones.join(';') },
  ],
};

describe('readTable / writeTable', () => {
  it('round-trips typed rows, formula-looking text included', () => {
    const rows: Row[] = [
      { name: '=帐篷', quantity: 3, ok: true, phones: ['+8613800000000', '0571-1'] },
      { name: '水泵', quantity: null, ok: false, phones: [] },
    ];
    const back = readTable(writeTable(rows, spec), spec);
    expect(back.ok && back.rows).toEqual([
      { line: 2, value: rows[0] },
      { line: 3, value: rows[1] },
    ]);
  });
  it('refuses a wrong header on line 1, naming the expected one', () => {
    const r = readTable('名称,数目,可用,电话\r\n', spec);
    expect(!r.ok && r.issue).toEqual({ line: 1, message: '第1行表头应为：名称,数量,可用,电话' });
  });
  it('refuses a bad field naming line, column and header; skips blank lines', () => {
    const r = readTable('名称,数量,可用,电话\r\n帐篷,1,是,\r\n\r\n水泵,-1,否,', spec);
    expect(!r.ok && r.issue).toEqual({ line: 4, column: 2, message: '第4行第2列（数量）：应在0到100之间' });
    const short = readTable('名称,数量,可用,电话\n帐篷,1', spec);
    expect(!short.ok && short.issue.line).toBe(2);
  });
  it('parses dates and rejects non-dates', () => {
    expect(csvField.optionalDate('2026-12-07')).toEqual({ ok: true, value: '2026-12-07' });
    expect(csvField.optionalDate('')).toEqual({ ok: true, value: null });
    expect(csvField.optionalDate('2026-13-45').ok).toBe(false);
    expect(csvField.optionalDate('明天').ok).toBe(false);
  });
});
