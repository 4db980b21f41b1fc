import { readXml, XML_MAX_DEPTH, XML_MAX_ELEMENTS } from './xml-reader.js';

const ok = (xml: string) => {
  const read = readXml(xml);
  if ('error' in read) throw new Error(`${read.error} (line ${read.line})`);
  return read.root;
};
const refused = (xml: string) => {
  const read = readXml(xml);
  if (!('error' in read)) throw new Error('accepted');
  return read;
};

describe('readXml', () => {
  it('reads elements, namespaces, attributes, text, CDATA, references; skips comments and PIs', () => {
    const root = ok(
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<?pi x?><!-- c -->\n<a xmlns="urn:x" xmlns:p="urn:p" k=\'v&amp;w\'>\n' +
        '  <b>1 &lt; 2 &#x4E2D;&#25991;</b><p:c/><d><![CDATA[<not markup> & ]]></d>\n</a>',
    );
    expect(root).toMatchObject({ name: 'a', ns: 'urn:x', attrs: { k: 'v&w' }, line: 3 });
    expect(root.children.map((c) => [c.name, c.ns, c.line])).toEqual([
      ['b', 'urn:x', 4],
      ['c', 'urn:p', 4],
      ['d', 'urn:x', 4],
    ]);
    expect(root.children[0]!.text).toBe('1 < 2 中文');
    expect(root.children[2]!.text).toBe('<not markup> & ');
  });

  it.each([
    ['<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', /DOCTYPE is refused/, 1],
    ['<?xml version="1.0"?>\n<!DOCTYPE a SYSTEM "http://127.0.0.1:9/a.dtd"><a/>', /DOCTYPE is refused/, 2],
    ['<a>\n&xxe;</a>', /entity reference &xxe; is refused/, 2],
    ['<a>&#0;</a>', /not an XML character/, 1],
    ['<a>&amp</a>', /';'/, 1],
    ['<a><!ENTITY x "y"></a>', /markup declaration/, 1],
    ['<a>\n<b>\n</a>', /<\/a> closes <b>/, 3],
    ['<a>', /not closed/, 1],
    ['<a/><b/>', /second root/, 1],
    ['text<a/>', /outside the root/, 1],
    ['<p:a/>', /prefix p is not declared/, 1],
    ['<a x="1" x="2"/>', /given twice/, 1],
    ['<a x="<"/>', /'<' in the value/, 1],
    ['<a>\u0001</a>', /U\+0001 is not allowed/, 1],
    ['<a><!-- x -- y --></a>', /'--' inside a comment/, 1],
    ['<?xml version="1.0" encoding="ISO-8859-1"?><a/>', /encoding ISO-8859-1 is not accepted/, 1],
    ['<a/><?xml version="1.0"?>', /only at the very start/, 1],
    ['', /no root element/, 1],
  ])('refuses %j', (xml, message, line) => {
    const r = refused(xml);
    expect(r.error).toMatch(message);
    expect(r.line).toBe(line);
  });

  it('bounds depth and element count', () => {
    const deep = (n: number) => '<a>'.repeat(n) + '</a>'.repeat(n);
    expect(() => ok(deep(XML_MAX_DEPTH))).not.toThrow();
    expect(refused(deep(XML_MAX_DEPTH + 1)).error).toMatch(/deeper than/);
    expect(refused(`<a>${'<b/>'.repeat(XML_MAX_ELEMENTS)}</a>`).error).toMatch(/more than/);
  });

  it('reads a 256 KiB document of many elements quickly (line numbers by binary search)', () => {
    const xml = `<a>${'<b>x</b>\n'.repeat(15_000)}</a>`;
    const t0 = performance.now();
    const root = ok(xml);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(root.children.at(-1)!.line).toBe(15_000);
  });
});
