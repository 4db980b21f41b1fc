import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import {
  boundedDateTime,
  findUnstorableText,
  multiLineText,
  normalizeText,
  singleLineText,
  textRuleProblem,
  unstorableTextProblem,
  utf8Length,
} from './text.js';
import { fieldIssues } from './validation.js';

describe('unstorableTextProblem', () => {
  it('refuses NUL and unpaired surrogates', () => {
    expect(unstorableTextProblem('a\u0000b')).toMatch(/NUL/);
    expect(unstorableTextProblem('\ud800')).toMatch(/unpaired surrogate U\+D800/);
    expect(unstorableTextProblem('x\udc00')).toMatch(/unpaired surrogate U\+DC00/);
    expect(unstorableTextProblem('\ud800\ud800\udc00')).toMatch(/U\+D800/);
  });

  it('accepts Chinese, emoji (surrogate pairs) and fullwidth punctuation', () => {
    expect(unstorableTextProblem('撤离：立即转移！😀🚨（县指挥中心）')).toBeNull();
    expect(unstorableTextProblem('')).toBeNull();
  });
});

describe('findUnstorableText', () => {
  it('names the path of the first bad string in document order', () => {
    expect(
      findUnstorableText({ title: 'ok', targets: { siteIds: ['a', 'b\u0000'] }, body: '\ud800' }),
    ).toEqual({ path: 'targets.siteIds.1', message: expect.stringMatching(/NUL/) });
  });

  it('checks object keys too', () => {
    const found = findUnstorableText({ data: { 'k\u0000': 1 } });
    expect(found?.path).toBe('data.k?');
    expect(found?.message).toMatch(/^key must not contain NUL/);
    expect(findUnstorableText(JSON.parse('{"\\ud800":1}'))?.message).toMatch(/^key must be valid Unicode/);
  });

  it('names the whole body for a bad top-level string', () => {
    expect(findUnstorableText('\u0000')?.path).toBe('(body)');
  });

  it('passes clean values, numbers, booleans, null and binary', () => {
    expect(
      findUnstorableText({ a: [1, true, null, { b: '指令 👨‍👩‍👧' }], c: Buffer.from([0, 0xff]) }),
    ).toBeNull();
    expect(findUnstorableText(undefined)).toBeNull();
  });

  it('stops at 100,000 values rather than walking without bound', () => {
    expect(findUnstorableText(new Array(100_001).fill(1))).toEqual({
      path: '(body)',
      message: 'has too many values to check',
    });
    expect(findUnstorableText(new Array(99_000).fill('ok'))).toBeNull();
  });

  it('walks a deeply nested value without overflowing the stack', () => {
    let deep: unknown = '\u0000';
    for (let i = 0; i < 50_000; i++) deep = [deep];
    expect(findUnstorableText(deep)?.message).toMatch(/NUL|too deeply nested/);
  });
});

describe('textRuleProblem', () => {
  it.each([
    ['撤离通知'],
    ['城关镇（县指挥中心）'],
    ['暴雨红色预警 🚨'],
    ['家庭 👨‍👩‍👧 ❤️ 1️⃣ 🇨🇳 🏴󠁧󠁢󠁳󠁣󠁴󠁿'],
    ['葛\u{E0100}城'], // an ideographic variation sequence in a personal name
    ['Zhang San'],
  ])('accepts %s', (v) => {
    expect(textRuleProblem(v)).toBeNull();
  });

  it.each([
    ['\u200B\u200B', /invisible characters \(U\+200B\)/],
    ['\u2060', /invisible/],
    ['\uFEFF名', /invisible/],
    ['admin\u200B（县指挥中心）', /invisible characters \(U\+200B\)/],
    ['admin\u200D', /invisible/],
    ['admin\uFE0F', /invisible/],
    ['\u3164', /invisible/],
    ['a\u00ADb', /invisible/],
    ['撤离\u202Egnp.exe', /bidirectional control characters \(U\+202E\)/],
    ['x\u2066y\u2069', /bidirectional/],
    ['x\u200Fy', /bidirectional/],
    ['a\nb', /control characters \(U\+000A\)/],
    ['a\tb', /control/],
    ['bell\u0007', /control characters \(U\+0007\)/],
    ['csi\u009B', /control/],
    ['\u0000', /NUL/],
    ['\ud800', /unpaired/],
    ['', /must not be empty/],
  ])('refuses %j in a name or title', (v, message) => {
    expect(textRuleProblem(v)).toMatch(message);
  });

  it('lets multi-line text keep newlines, tabs and pasted zero-width spaces', () => {
    expect(textRuleProblem('第一行\n\t第二行', { multiline: true })).toBeNull();
    expect(textRuleProblem('通知\u200B内容', { multiline: true })).toBeNull();
  });

  it('refuses bidi and other controls in multi-line text, and text that shows nothing', () => {
    expect(textRuleProblem('a\u202Eb', { multiline: true })).toMatch(/bidirectional/);
    expect(textRuleProblem('a\u001B[2Jb', { multiline: true })).toMatch(/U\+001B/);
    expect(textRuleProblem('\u200B\u200B', { multiline: true })).toMatch(/must not be empty/);
  });
});

describe('normalizeText / utf8Length', () => {
  it('composes to NFC, turns \\r\\n into \\n and trims', () => {
    expect(normalizeText('  e\u0301\r\nx\ry\u3000')).toBe('\u00E9\nx\ny');
  });

  it('counts UTF-8 bytes as Buffer does', () => {
    for (const s of ['', 'abc', '指令', '😀', 'é\u00E9']) expect(utf8Length(s)).toBe(Buffer.byteLength(s));
  });
});

describe('singleLineText / multiLineText schemas', () => {
  const Schema = z.strictObject({ title: singleLineText(10), body: multiLineText(20) });
  const issues = (v: unknown) => {
    const r = Schema.safeParse(v);
    return r.success ? [] : fieldIssues(r.error);
  };

  it('returns the normalised value', () => {
    expect(Schema.parse({ title: ' e\u0301 ', body: 'a\r\nb ' })).toEqual({ title: '\u00E9', body: 'a\nb' });
  });

  it('names the field in every refusal', () => {
    expect(issues({ title: '\u200B', body: 'x' })).toEqual([
      { path: 'title', message: 'must not contain invisible characters (U+200B)' },
    ]);
    expect(issues({ title: 'x', body: '  ' })).toEqual([{ path: 'body', message: 'must not be empty' }]);
    expect(issues({ title: 'x'.repeat(11), body: 'x' })[0]).toEqual({
      path: 'title',
      message: 'must be at most 10 characters',
    });
    expect(issues({ title: 'x', body: '指'.repeat(7) })[0]?.message).toBe('must be at most 20 bytes');
    expect(issues({ title: 7, body: 'x' })[0]).toEqual({ path: 'title', message: 'must be a string' });
  });
});

describe('boundedDateTime', () => {
  const d = boundedDateTime();
  it('accepts dates in range with any offset', () => {
    expect(d.safeParse('2026-12-06T13:00:00+08:00').success).toBe(true);
    expect(d.safeParse('2000-01-01T00:00:00Z').success).toBe(true);
  });

  it.each(['0000-01-01T00:00:00Z', '1999-12-31T23:59:59Z', '2100-01-01T00:00:00Z', '9999-12-31T23:59:59Z'])(
    'refuses %s',
    (v) => {
      const r = d.safeParse(v);
      expect(r.success).toBe(false);
      expect(fieldIssues(r.error!)[0]?.message).toBe('must be between 2000-01-01 and 2100-01-01');
    },
  );
});
