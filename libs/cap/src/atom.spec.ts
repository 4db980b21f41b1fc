import { buildAtomFeed } from './atom.js';
import { readXml } from './xml-reader.js';

describe('buildAtomFeed', () => {
  it('is a well-formed Atom feed linking each CAP document, escaped, in Beijing time', () => {
    const xml = buildAtomFeed({
      id: 'urn:yihu:warnings',
      title: '城关县预警 & <test>',
      updated: new Date('2026-12-06T16:00:00Z'),
      selfUrl: 'https://hub.example.cn/api/v1/warnings/feed.atom?a=1&b="2"',
      entries: [
        {
          id: '13060000000000_20261206083000_1',
          title: '暴雨橙色预警',
          updated: new Date('2026-12-06T00:30:00Z'),
          summary: '低洼地区 <转移>',
          capUrl: 'https://hub.example.cn/api/v1/warnings/1/cap',
          level: 'orange',
        },
        {
          id: 'x',
          title: 'y',
          updated: new Date('2026-12-06T00:30:00Z'),
          summary: '',
          capUrl: 'https://h/2/cap',
        },
      ],
    });
    const read = readXml(xml);
    if ('error' in read) throw new Error(read.error);
    const feed = read.root;
    expect(feed).toMatchObject({ name: 'feed', ns: 'http://www.w3.org/2005/Atom' });
    const child = (name: string) => feed.children.find((c) => c.name === name)!;
    expect(child('title').text).toBe('城关县预警 & <test>');
    expect(child('updated').text).toBe('2026-12-07T00:00:00+08:00');
    expect(child('link').attrs).toEqual({
      rel: 'self',
      type: 'application/atom+xml',
      href: 'https://hub.example.cn/api/v1/warnings/feed.atom?a=1&b="2"',
    });
    const entries = feed.children.filter((c) => c.name === 'entry');
    expect(entries).toHaveLength(2);
    const first = entries[0]!;
    expect(first.children.map((c) => c.name)).toEqual([
      'id',
      'title',
      'updated',
      'summary',
      'link',
      'category',
    ]);
    expect(first.children.find((c) => c.name === 'summary')!.text).toBe('低洼地区 <转移>');
    expect(first.children.find((c) => c.name === 'link')!.attrs).toEqual({
      rel: 'alternate',
      type: 'application/cap+xml',
      href: 'https://hub.example.cn/api/v1/warnings/1/cap',
    });
    expect(first.children.find((c) => c.name === 'category')!.attrs.term).toBe('orange');
    expect(entries[1]!.children.map((c) => c.name)).not.toContain('category');
  });
});
