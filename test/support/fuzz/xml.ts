import type { Prng } from './prng.js';
import { nastyString, type Tags } from './values.js';

// Hostile XML for the operations that take an XML body (CAP validate and import): a parser
// is a classic way in (entity expansion, external entities, depth, size), so each gets its turn.

const CAP_NS = 'urn:oasis:names:tc:emergency:cap:1.2';

/** a CAP 1.2 alert that is close to valid: the mutations start from something the reader accepts */
function capAlert(rng: Prng, inner = ''): string {
  const now = new Date().toISOString().replace(/\.\d+Z$/, '+08:00');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<alert xmlns="${CAP_NS}">` +
    `<identifier>fuzz-${rng.int(0, 1e9)}</identifier><sender>fuzz@example.org</sender><sent>${now}</sent>` +
    `<status>${rng.pick(['Actual', 'Exercise', 'Test', 'Draft'])}</status><msgType>Alert</msgType><scope>Public</scope>` +
    `<info><category>Met</category><event>暴雨</event><urgency>Immediate</urgency><severity>Severe</severity>` +
    `<certainty>Likely</certainty><headline>${inner}</headline><area><areaDesc>模糊镇</areaDesc></area></info></alert>`
  );
}

const ENTITY_BOMB =
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
  '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">' +
  '<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">' +
  '<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">' +
  `<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]><alert xmlns="${CAP_NS}"><identifier>&lol9;</identifier></alert>`;

const HOSTILE_DOCTYPES = [
  ENTITY_BOMB,
  // external entities: a local file, a URL, a parameter entity pulling a remote DTD
  `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><alert xmlns="${CAP_NS}"><identifier>&x;</identifier></alert>`,
  `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "http://127.0.0.1:1/x">]><alert xmlns="${CAP_NS}"><identifier>&x;</identifier></alert>`,
  '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY % p SYSTEM "http://127.0.0.1:1/evil.dtd"> %p;]><alert/>',
  '<?xml version="1.0"?><!DOCTYPE alert SYSTEM "file:///dev/zero"><alert/>',
  // quadratic blow-up: one big entity used many times
  `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY big "${'x'.repeat(20_000)}">]><alert xmlns="${CAP_NS}"><identifier>${'&big;'.repeat(2_000)}</identifier></alert>`,
  // undefined and recursive entities
  `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY a "&b;"><!ENTITY b "&a;">]><alert>&a;</alert>`,
  '<alert>&undefined;&#0;&#xD800;&#x110000;</alert>',
  '<?xml version="1.0"?><?xml-stylesheet href="file:///etc/passwd"?><alert/>',
  '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"/>',
  `<alert xmlns="${CAP_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${CAP_NS} http://127.0.0.1:1/cap.xsd"/>`,
];

const BROKEN = [
  '',
  '<',
  '<alert',
  '<alert>',
  '</alert>',
  '<?xml version="1.0"?>',
  '<?xml version="9.9" encoding="EBCDIC"?><alert/>',
  '<?xml version="1.0" encoding="UTF-16"?><alert/>',
  '<alert><alert></alert>',
  '<a:b:c/>',
  '<alert xmlns="">\u0000</alert>',
  '<![CDATA[<alert/>]]>',
  '<!-- only a comment -->',
  '{"json": "not xml"}',
  'alert=1&sender=x',
];

export function xmlBody(rng: Prng, tags: Tags): Buffer {
  switch (rng.int(0, 7)) {
    case 0:
      return Buffer.from(capAlert(rng));
    case 1:
      tags.add('odd-string');
      return Buffer.from(capAlert(rng, nastyString(rng, tags).replace(/[<&]/g, '')));
    case 2:
      tags.add('xml-doctype');
      return Buffer.from(rng.pick(HOSTILE_DOCTYPES));
    case 3: {
      tags.add('deep');
      const depth = rng.pick([1_000, 10_000, 100_000]);
      return Buffer.from(`<alert xmlns="${CAP_NS}">${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</alert>`);
    }
    case 4: {
      tags.add('huge');
      const filler = rng.pick([200_000, 262_145, 1_100_000]);
      return Buffer.from(capAlert(rng, 'x'.repeat(filler)));
    }
    case 5: {
      tags.add('invalid-utf8');
      const text = capAlert(rng);
      const at = rng.int(0, text.length - 1);
      return Buffer.concat([
        Buffer.from(text.slice(0, at)),
        Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
        Buffer.from(text.slice(at)),
      ]);
    }
    case 6: {
      tags.add('malformed-xml');
      const text = capAlert(rng);
      return Buffer.from(rng.chance(0.5) ? rng.pick(BROKEN) : text.slice(0, rng.int(0, text.length - 1)));
    }
    default: {
      tags.add('many-attributes');
      const attrs = Array.from({ length: rng.pick([100, 10_000]) }, (_, i) => `a${i}="${i}"`).join(' ');
      return Buffer.from(`<alert xmlns="${CAP_NS}" ${attrs}/>`);
    }
  }
}
