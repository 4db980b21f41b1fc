/**
 * A small, strict XML reader for CAP documents: elements, attributes, namespaces, text,
 * CDATA, comments and processing instructions, and nothing that can reach outside the
 * document. A DOCTYPE (and with it every DTD, entity declaration and external reference) is
 * refused, as is any entity reference other than the five predefined ones and character
 * references: there is nothing to expand and nothing to fetch. Depth and element count are
 * bounded. Written here instead of taken from npm because no XML parser is among the
 * project's dependencies and CAP needs only this subset.
 */
export interface XmlElement {
  /** Local name, without the prefix. */
  name: string;
  ns: string | null;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (CDATA included), children's text excluded. */
  text: string;
  line: number;
}

export type XmlReadResult = { root: XmlElement } | { error: string; line: number };

export const XML_MAX_DEPTH = 32;
export const XML_MAX_ELEMENTS = 20_000;

const NAME =
  /[A-Za-z_\u00C0-\uFFEF][-A-Za-z0-9._\u00B7-\uFFEF]*(?::[A-Za-z_\u00C0-\uFFEF][-A-Za-z0-9._\u00B7-\uFFEF]*)?/y;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

class XmlError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
  }
}

const isXmlChar = (c: number) =>
  c === 0x9 ||
  c === 0xa ||
  c === 0xd ||
  (c >= 0x20 && c <= 0xd7ff) ||
  (c >= 0xe000 && c <= 0xfffd) ||
  c >= 0x10000;

function decode(raw: string, at: number): string {
  return raw.replace(/&([^;&<]*);?/g, (whole, ref: string, offset: number) => {
    if (!whole.endsWith(';'))
      throw new XmlError(`'&' not followed by a reference ending in ';'`, at + offset);
    if (ref in PREDEFINED) return PREDEFINED[ref]!;
    const num = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(ref);
    if (num) {
      const code = num[1] !== undefined ? parseInt(num[1], 16) : parseInt(num[2]!, 10);
      if (code > 0x10ffff || !isXmlChar(code))
        throw new XmlError(`character reference &${ref}; is not an XML character`, at + offset);
      return String.fromCodePoint(code);
    }
    throw new XmlError(
      `entity reference &${ref}; is refused: no DTD, so no entities other than the five predefined`,
      at + offset,
    );
  });
}

export function readXml(input: string): XmlReadResult {
  const src = (input.charCodeAt(0) === 0xfeff ? input.slice(1) : input).replace(/\r\n?/g, '\n');
  const newlines: number[] = [];
  for (let i = src.indexOf('\n'); i !== -1; i = src.indexOf('\n', i + 1)) newlines.push(i);
  const lineAt = (pos: number) => {
    let lo = 0;
    let hi = newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (newlines[mid]! < pos) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
  try {
    return { root: parse(src, lineAt) };
  } catch (e) {
    if (e instanceof XmlError) return { error: e.message, line: lineAt(e.pos) };
    throw e;
  }
}

function parse(src: string, lineAt: (pos: number) => number): XmlElement {
  for (let i = 0; i < src.length; i++) {
    const c = src.codePointAt(i)!;
    if (!isXmlChar(c))
      throw new XmlError(
        `character U+${c.toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML`,
        i,
      );
    if (c > 0xffff) i++;
  }
  let pos = 0;
  let root: XmlElement | null = null;
  let count = 0;
  const stack: { el: XmlElement; qname: string; scope: Map<string, string> }[] = [];
  const readName = () => {
    NAME.lastIndex = pos;
    const m = NAME.exec(src);
    if (!m) throw new XmlError('a name was expected', pos);
    pos += m[0].length;
    return m[0];
  };
  const skipSpace = () => {
    while (pos < src.length && ' \t\n'.includes(src[pos]!)) pos++;
  };
  const until = (end: string, what: string) => {
    const i = src.indexOf(end, pos);
    if (i === -1) throw new XmlError(`${what} is not closed with '${end}'`, pos);
    const body = src.slice(pos, i);
    pos = i + end.length;
    return body;
  };

  if (src.startsWith('<?xml') && /\s/.test(src[5] ?? '')) {
    const start = pos;
    pos = 5;
    const decl = until('?>', 'the XML declaration');
    const enc = /encoding\s*=\s*(["'])([^"']*)\1/.exec(decl);
    if (enc && enc[2]!.toLowerCase() !== 'utf-8')
      throw new XmlError(`encoding ${enc[2]} is not accepted: CAP here is UTF-8`, start);
  }

  while (pos < src.length) {
    const top = stack.at(-1);
    if (src[pos] !== '<') {
      const start = pos;
      const end = src.indexOf('<', pos);
      pos = end === -1 ? src.length : end;
      const raw = src.slice(start, pos);
      if (!top) {
        if (raw.trim() !== '') throw new XmlError('text outside the root element', start);
        continue;
      }
      if (raw.includes(']]>')) throw new XmlError("']]>' in text", start);
      top.el.text += decode(raw, start);
      continue;
    }
    const start = pos;
    if (src.startsWith('<!--', pos)) {
      pos += 4;
      if (until('-->', 'a comment').includes('--')) throw new XmlError("'--' inside a comment", start);
    } else if (src.startsWith('<![CDATA[', pos)) {
      if (!top) throw new XmlError('CDATA outside the root element', start);
      pos += 9;
      top.el.text += until(']]>', 'a CDATA section');
    } else if (src.startsWith('<!DOCTYPE', pos) || src.startsWith('<!doctype', pos)) {
      throw new XmlError('a DOCTYPE is refused: no DTD, no entities, nothing fetched', start);
    } else if (src.startsWith('<!', pos)) {
      throw new XmlError(`markup declaration '${src.slice(pos, pos + 9)}' is refused`, start);
    } else if (src.startsWith('<?', pos)) {
      pos += 2;
      const target = readName();
      if (target.toLowerCase() === 'xml')
        throw new XmlError('an XML declaration is allowed only at the very start', start);
      until('?>', 'a processing instruction');
    } else if (src.startsWith('</', pos)) {
      pos += 2;
      const qname = readName();
      skipSpace();
      if (src[pos] !== '>') throw new XmlError(`'>' expected after </${qname}`, pos);
      pos++;
      if (!top) throw new XmlError(`closing tag </${qname}> with no element open`, start);
      if (top.qname !== qname) throw new XmlError(`</${qname}> closes <${top.qname}>`, start);
      stack.pop();
    } else {
      pos++;
      const qname = readName();
      const rawAttrs: [string, string, number][] = [];
      for (;;) {
        const before = pos;
        skipSpace();
        if (src.startsWith('/>', pos) || src[pos] === '>') break;
        if (pos === before) throw new XmlError(`space, '>' or '/>' expected in <${qname}>`, pos);
        const at = pos;
        const name = readName();
        skipSpace();
        if (src[pos] !== '=') throw new XmlError(`'=' expected after attribute ${name}`, pos);
        pos++;
        skipSpace();
        const q = src[pos];
        if (q !== '"' && q !== "'") throw new XmlError(`quoted value expected for attribute ${name}`, pos);
        pos++;
        const vStart = pos;
        const raw = until(q, `attribute ${name}`);
        if (raw.includes('<')) throw new XmlError(`'<' in the value of attribute ${name}`, vStart);
        if (rawAttrs.some(([n]) => n === name)) throw new XmlError(`attribute ${name} given twice`, at);
        // whitespace characters become spaces; those written as references stay (XML 1.0 §3.3.3)
        rawAttrs.push([name, decode(raw.replace(/[\t\n]/g, ' '), vStart), at]);
      }
      const selfClosing = src.startsWith('/>', pos);
      pos += selfClosing ? 2 : 1;
      if (stack.length >= XML_MAX_DEPTH)
        throw new XmlError(`elements nested deeper than ${XML_MAX_DEPTH}`, start);
      if (++count > XML_MAX_ELEMENTS) throw new XmlError(`more than ${XML_MAX_ELEMENTS} elements`, start);
      if (!top && root) throw new XmlError('a second root element', start);
      const scope = new Map(top?.scope ?? [['xml', XML_NS]]);
      const attrs: Record<string, string> = {};
      for (const [name, value] of rawAttrs) {
        if (name === 'xmlns') scope.set('', value);
        else if (name.startsWith('xmlns:')) scope.set(name.slice(6), value);
        else attrs[name] = value;
      }
      const [prefix, local] = qname.includes(':') ? qname.split(':') : ['', qname];
      const ns = scope.get(prefix!) || null;
      if (prefix && !ns) throw new XmlError(`prefix ${prefix} is not declared`, start);
      const el: XmlElement = { name: local!, ns, attrs, children: [], text: '', line: lineAt(start) };
      if (top) top.el.children.push(el);
      else root = el;
      if (!selfClosing) stack.push({ el, qname, scope });
    }
  }
  if (stack.length > 0) throw new XmlError(`<${stack.at(-1)!.qname}> is not closed`, src.length);
  if (!root) throw new XmlError('no root element', 0);
  return root;
}
