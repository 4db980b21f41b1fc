import { describe, expect, it } from '@jest/globals';
import { BOM, csvCell, csvName, csvTime, toCsv } from './csv.js';

describe('csvCell', () => {
  it.each([
    ['=HYPERLINK("http://x","点我")', `"'=HYPERLINK(""http://x"",""点我"")"`],
    ['+86 138', `"'+86 138"`],
    ['-1+2', `"'-1+2"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['\tcmd', `"'\tcmd"`],
  ])('neutralizes a formula: %s', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('quotes commas, quotes and line breaks, and leaves plain text and numbers as they are', () => {
    expect(csvCell('青山镇, 王五 "值班"\n第二行')).toBe('"青山镇, 王五 ""值班""\n第二行"');
    expect(csvCell('电话代签 · 王五')).toBe('"电话代签 · 王五"');
    expect(csvCell(-3)).toBe('"-3"');
    expect(csvCell(null)).toBe('""');
    expect(csvCell(Number.NaN)).toBe('""');
    expect(csvCell(true)).toBe('"true"');
  });
});

describe('toCsv', () => {
  it('starts with a BOM, ends rows with CRLF, and keeps the header order', () => {
    const csv = toCsv(
      ['站点', '状态'],
      [
        ['青山镇', '已签收'],
        ['翟镇', '=1+1'],
      ],
    );
    expect(csv.startsWith(BOM)).toBe(true);
    expect(csv.slice(1).split('\r\n')).toEqual(['"站点","状态"', '"青山镇","已签收"', `"翟镇","'=1+1"`, '']);
  });
});

describe('csvTime and csvName', () => {
  it('writes local date-times Excel reads, and nothing for a missing one', () => {
    const d = new Date(2026, 11, 6, 14, 3, 5);
    expect(csvTime(d.toISOString())).toBe('2026-12-06 14:03:05');
    expect(csvTime(null)).toBe('');
    expect(csvTime('not a date')).toBe('');
    expect(csvName('签收记录 县应急/12号', d)).toBe('签收记录_县应急_12号-20261206-1403.csv');
  });
});
