import { escapeXml } from './escape.js';
import { readXml } from './xml-reader.js';

describe('escapeXml', () => {
  it('escapes the markup characters', () => {
    expect(escapeXml(`<a href="x">&'</a>]]>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;]]&gt;',
    );
  });

  it('keeps tab, LF, Chinese and astral characters; writes CR as a reference', () => {
    expect(escapeXml('暴雨\t橙色\n预警 🌧')).toBe('暴雨\t橙色\n预警 🌧');
    expect(escapeXml('a\r\nb')).toBe('a&#13;\nb');
  });

  it('replaces what XML 1.0 cannot carry with U+FFFD', () => {
    expect(escapeXml('a\u0000b\u0001c\u001fd\u007fe')).toBe('a\uFFFDb\uFFFDc\uFFFDd\u007fe');
    expect(escapeXml('\uFFFE\uFFFF')).toBe('\uFFFD\uFFFD');
    expect(escapeXml('x\uD83Dy\uDC00z')).toBe('x\uFFFDy\uFFFDz');
  });

  it('round-trips through the reader for every character class', () => {
    const text = `<&>"' 暴雨\t\r\n🌧 \u0001 ]]>`;
    const read = readXml(`<a t="${escapeXml(text)}">${escapeXml(text)}</a>`);
    if ('error' in read) throw new Error(read.error);
    const expected = text.replace('\u0001', '\uFFFD');
    expect(read.root.text).toBe(expected);
    // attribute values normalize whitespace characters to spaces, as XML requires…
    // …except those written as references
    expect(read.root.attrs.t).toBe(expected.replace('\t', ' ').replace('\n', ' '));
  });
});
