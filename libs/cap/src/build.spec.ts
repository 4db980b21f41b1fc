import { buildCapXml, formatReferences } from './build.js';
import { sampleWarning } from './test-alerts.js';
import type { CapAlert } from './types.js';
import { validateCap } from './validate.js';
import { readXml, type XmlElement } from './xml-reader.js';

const ALERT_ORDER = [
  'identifier',
  'sender',
  'sent',
  'status',
  'msgType',
  'source',
  'scope',
  'restriction',
  'addresses',
  'code',
  'note',
  'references',
  'incidents',
  'info',
];
const INFO_ORDER = [
  'language',
  'category',
  'event',
  'responseType',
  'urgency',
  'severity',
  'certainty',
  'audience',
  'eventCode',
  'effective',
  'onset',
  'expires',
  'senderName',
  'headline',
  'description',
  'instruction',
  'web',
  'contact',
  'parameter',
  'resource',
  'area',
];
const AREA_ORDER = ['areaDesc', 'polygon', 'circle', 'geocode', 'altitude', 'ceiling'];

function root(xml: string): XmlElement {
  const read = readXml(xml);
  if ('error' in read) throw new Error(read.error);
  return read.root;
}

/** Every element of the schema's sequences, each set once (and twice where repeatable). */
function everything(): CapAlert {
  const base = sampleWarning();
  return {
    ...base,
    msgType: 'Update',
    scope: 'Restricted',
    restriction: '仅限应急系统',
    addresses: 'a b',
    code: ['profile:CN:1.0', 'drill'],
    source: 'yihu',
    note: '更新',
    incidents: 'inc-1',
    references: [
      {
        sender: base.sender,
        identifier: '13060000000000_20261206080000_1',
        sent: new Date('2026-12-06T00:00:00Z'),
      },
    ],
    info: [
      {
        ...base.info[0]!,
        category: ['Met', 'Safety'],
        responseType: ['Evacuate', 'Monitor'],
        audience: '公众',
        eventCodes: [{ valueName: 'CN', value: '11B03' }],
        effective: new Date('2026-12-06T00:30:00Z'),
        resources: [
          {
            resourceDesc: '图',
            mimeType: 'image/png',
            size: 10,
            uri: 'https://example.cn/a.png',
            digest: 'abc',
          },
        ],
        areas: [
          {
            areaDesc: '城关镇',
            polygons: ['38.87,115.46 38.90,115.52 38.84,115.55 38.87,115.46', '1,1 1,2 2,2 1,1'],
            circles: ['38.87,115.46 5', '38.8,115.4 0'],
            geocodes: [
              { valueName: 'GB/T 2260', value: '130601' },
              { valueName: 'GB/T 2260', value: '130602' },
            ],
            altitude: 100,
            ceiling: 2000,
          },
        ],
      },
    ],
  };
}

describe('buildCapXml', () => {
  it('writes every element in the order of the schema', async () => {
    const alert = root(buildCapXml(everything()));
    const order = (el: XmlElement, expected: string[]) => {
      const names = el.children.map((c) => c.name);
      const ranks = names.map((n) => expected.indexOf(n));
      expect(ranks).not.toContain(-1);
      expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
      expect(new Set(names)).toEqual(new Set(expected));
    };
    order(alert, ALERT_ORDER);
    order(
      alert.children.find((c) => c.name === 'info')!,
      INFO_ORDER,
    );
    order(
      alert.children.find((c) => c.name === 'info')!.children.find((c) => c.name === 'area')!,
      AREA_ORDER,
    );
    expect(await validateCap(buildCapXml(everything()))).toEqual({ valid: true, version: '1.2', errors: [] });
  });

  it('writes the bilingual warning as the issue asks, valid CAP 1.2', async () => {
    const xml = buildCapXml(sampleWarning());
    expect(
      xml.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">',
      ),
    ).toBe(true);
    expect(xml).toContain('<identifier>13060000000000_20261206083000_1</identifier>');
    expect(xml).toContain('<sent>2026-12-06T08:30:00+08:00</sent>');
    expect(xml).toContain('<onset>2026-12-06T09:30:00+08:00</onset>');
    expect(xml).toContain('<severity>Severe</severity>');
    expect(xml).toContain('<language>zh-CN</language>');
    expect(xml).toContain('<language>en-US</language>');
    expect(xml).not.toMatch(/\d\dZ</);
    expect(xml).not.toContain('<references>');
    expect(await validateCap(xml)).toEqual({ valid: true, version: '1.2', errors: [] });
  });

  it('escapes markup and control characters so the document stays valid and means the same', async () => {
    const hostile = `</headline><script>alert("x")</script> & 'q' \u0000\u0007 ]]> <!DOCTYPE x>`;
    const xml = buildCapXml(sampleWarning({ headline: hostile }));
    expect(xml).not.toContain('<script>');
    expect(xml).not.toContain('<!DOCTYPE');
    expect(await validateCap(xml)).toEqual({ valid: true, version: '1.2', errors: [] });
    const headline = root(xml)
      .children.find((c) => c.name === 'info')!
      .children.find((c) => c.name === 'headline')!;
    expect(headline.text).toBe(hostile.replace('\u0000\u0007', '\uFFFD\uFFFD'));
  });

  it('writes references as sender,identifier,sent separated by spaces', () => {
    expect(
      formatReferences([
        { sender: 's1', identifier: 'id1', sent: new Date('2026-12-06T00:00:00Z') },
        { sender: 's2', identifier: 'id2', sent: new Date('2026-12-06T16:00:00Z') },
      ]),
    ).toBe('s1,id1,2026-12-06T08:00:00+08:00 s2,id2,2026-12-07T00:00:00+08:00');
  });
});
