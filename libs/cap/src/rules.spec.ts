import { buildCapXml } from './build.js';
import { capRuleErrors, polygonProblem } from './rules.js';
import { sampleWarning } from './test-alerts.js';
import { validateCap } from './validate.js';
import { readXml } from './xml-reader.js';

const rules = (xml: string) => {
  const read = readXml(xml);
  if ('error' in read) throw new Error(read.error);
  return capRuleErrors(read.root);
};
const alert = (inner: string) =>
  `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">\n<identifier>i</identifier><sender>s</sender><sent>2026-12-06T08:00:00+08:00</sent><status>Actual</status><msgType>Alert</msgType>${inner}</alert>`;

describe('the rules the schema cannot express', () => {
  it('polygons: closed, at least 4 points, each lat,lon in range', () => {
    expect(polygonProblem('1,1 1,2 2,2 1,1')).toBeNull();
    expect(polygonProblem(' 38.87,115.46\n38.90,115.52 38.84,115.55 38.87,115.46 ')).toBeNull();
    expect(polygonProblem('1,1 1,2 1,1')).toMatch(/3 points; at least 4/);
    expect(polygonProblem('1,1 1,2 2,2 2,1')).toMatch(/first and last points differ/);
    expect(polygonProblem('1,1 1,2 91,2 1,1')).toMatch(/"91,2"/);
    expect(polygonProblem('1,1 1,181 2,2 1,1')).toMatch(/"1,181"/);
    expect(polygonProblem('1;1 1,2 2,2 1;1')).toMatch(/not "lat,lon"/);
  });

  it('scope Restricted needs <restriction>, Private needs <addresses>', () => {
    expect(rules(alert('<scope>Restricted</scope>'))).toEqual([
      { message: '<restriction> is required when <scope> is Restricted', line: 1 },
    ]);
    expect(rules(alert('<scope>Restricted</scope><restriction>内部</restriction>'))).toEqual([]);
    expect(rules(alert('<scope>Private</scope><addresses> </addresses>'))).toEqual([
      { message: '<addresses> is required when <scope> is Private', line: 1 },
    ]);
    expect(rules(alert('<scope>Private</scope><addresses>a b</addresses>'))).toEqual([]);
  });

  it('identifier and sender hold no space, comma, < or &', () => {
    const head = (id: string, sender: string) =>
      `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>${id}</identifier><sender>${sender}</sender><sent>2026-12-06T08:00:00+08:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope></alert>`;
    expect(rules(head('13060000000000_20261206083000_1', 'yihu@130600'))).toEqual([]);
    expect(rules(head('a b', 's')).map((e) => e.message)).toEqual([
      '<identifier> must not contain spaces, commas, < or &',
    ]);
    expect(rules(head('a', 's,t')).map((e) => e.message)).toEqual([
      '<sender> must not contain spaces, commas, < or &',
    ]);
    expect(rules(head('a&amp;b', 's&lt;')).map((e) => e.message)).toHaveLength(2);
  });

  it('references are sender,identifier,sent with an offset', () => {
    const ref = (r: string) => rules(alert(`<scope>Public</scope>\n<references>${r}</references>`));
    expect(ref('s,id,2026-12-06T08:00:00+08:00 s2,id2,2026-12-06T09:00:00-05:00')).toEqual([]);
    expect(ref('s,id')).toEqual([
      { message: '<references> entry "s,id" is not sender,identifier,sent', line: 3 },
    ]);
    expect(ref('s,id,2026-12-06T08:00:00Z')).toHaveLength(1);
    expect(ref(',id,2026-12-06T08:00:00+08:00')).toHaveLength(1);
  });

  it('times never Z; expires not before onset; ceiling needs altitude; circles well formed', () => {
    const info = (inner: string, area = '') =>
      rules(
        alert(
          `<scope>Public</scope><info><category>Met</category><event>e</event><urgency>Unknown</urgency><severity>Unknown</severity><certainty>Unknown</certainty>${inner}<area><areaDesc>a</areaDesc>${area}</area></info>`,
        ),
      ).map((e) => e.message);
    expect(info('<onset>2026-12-06T08:00:00Z</onset>')).toEqual([
      '<onset> 2026-12-06T08:00:00Z is not a time with a ±hh:mm offset (never Z)',
    ]);
    expect(
      info('<onset>2026-12-06T09:00:00+08:00</onset><expires>2026-12-06T08:59:59+08:00</expires>'),
    ).toEqual(['<expires> is before <onset>']);
    expect(
      info('<onset>2026-12-06T09:00:00+08:00</onset><expires>2026-12-06T02:00:00+01:00</expires>'),
    ).toEqual([]);
    expect(info('', '<ceiling>10</ceiling>')).toEqual(['<ceiling> needs <altitude>']);
    expect(info('', '<altitude>1</altitude><ceiling>10</ceiling>')).toEqual([]);
    expect(info('', '<circle>38.8,115.4 5.5</circle>')).toEqual([]);
    expect(info('', '<circle>38.8,115.4</circle><circle>38.8,115.4 -1</circle>')).toHaveLength(2);
  });

  it('are applied by validateCap, with the line of the element', async () => {
    const warning = sampleWarning();
    const zh = warning.info[0]!;
    warning.info = [{ ...zh, areas: [{ ...zh.areas[0]!, polygons: ['1,1 1,2 2,2 2,1'] }] }];
    const xml = buildCapXml(warning);
    const line = xml.split('\n').findIndex((l) => l.includes('<polygon>1,1')) + 1;
    expect(await validateCap(xml)).toEqual({
      valid: false,
      version: '1.2',
      errors: [{ message: '<polygon> first and last points differ; a polygon must be closed', line }],
    });
  });
});
