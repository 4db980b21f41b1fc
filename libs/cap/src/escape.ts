/**
 * Text and attribute values for XML 1.0. The five markup characters become entities; CR
 * becomes `&#13;` so a parser's line-end normalization does not turn it into LF. Characters
 * XML 1.0 cannot carry at all, not even as a character reference (C0 controls other than
 * tab/LF/CR, U+FFFE, U+FFFF, lone surrogates), are replaced by U+FFFD so the document stays
 * well-formed and the reader sees that something was there.
 */
export function escapeXml(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    switch (c) {
      case 0x26:
        out += '&amp;';
        continue;
      case 0x3c:
        out += '&lt;';
        continue;
      case 0x3e:
        out += '&gt;';
        continue;
      case 0x22:
        out += '&quot;';
        continue;
      case 0x27:
        out += '&apos;';
        continue;
      case 0x0d:
        out += '&#13;';
        continue;
    }
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += text[i]! + text[i + 1]!;
        i++;
      } else out += '\uFFFD';
      continue;
    }
    if (
      (c < 0x20 && c !== 0x09 && c !== 0x0a) ||
      (c >= 0xdc00 && c <= 0xdfff) ||
      c === 0xfffe ||
      c === 0xffff
    ) {
      out += '\uFFFD';
      continue;
    }
    out += text[i]!;
  }
  return out;
}
