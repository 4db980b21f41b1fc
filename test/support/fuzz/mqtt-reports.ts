import type { Prng } from './prng.js';
import { dateEdge, deep, hugeString, nastyString, type Tags } from './values.js';

/** today in Beijing, the day a 零报告 is for */
export const beijingDate = (at = Date.now()) => new Date(at + 8 * 3600_000).toISOString().slice(0, 10);

/**
 * A payload for `yihu/v1/terminals/{id}/reports` (a push terminal's 零报告, issue 18):
 * `{date, kind: "zero", at}` right, nearly right, or hostile.
 */
export function reportPayload(rng: Prng, tags: Tags): Buffer {
  const good = { date: beijingDate(), kind: 'zero', at: new Date().toISOString() };
  switch (rng.int(0, 9)) {
    case 0:
    case 1:
      return Buffer.from(JSON.stringify(good));
    case 2:
      tags.add('wrong-type');
      return Buffer.from(
        JSON.stringify({ ...good, kind: rng.pick(['normal', 'ZERO', '', 0, null, ['zero']]) }),
      );
    case 3:
      tags.add('date-edge');
      return Buffer.from(
        JSON.stringify({
          ...good,
          date: rng.pick([
            '2026-02-30',
            '2026-13-01',
            '0000-01-01',
            '9999-12-31',
            '2026-1-1',
            beijingDate(Date.now() + 86_400_000 * 400),
          ]),
          at: dateEdge(rng, tags),
        }),
      );
    case 4:
      tags.add('extra-field');
      return Buffer.from(
        JSON.stringify({ ...good, text: hugeString(rng, tags), siteId: 'x', constructor: { prototype: {} } }),
      );
    case 5:
      tags.add('missing-field');
      return Buffer.from(
        JSON.stringify(
          rng.pick([{}, { kind: 'zero' }, { date: good.date }, { date: good.date, kind: 'zero' }]),
        ),
      );
    case 6:
      tags.add('odd-string');
      return Buffer.from(JSON.stringify({ ...good, date: nastyString(rng, tags) }));
    case 7:
      tags.add('deep');
      return Buffer.from(JSON.stringify({ ...good, at: deep(rng, tags) }));
    case 8:
      tags.add('malformed-json');
      return Buffer.from(
        rng.pick([
          '{',
          'zero',
          '',
          '{"date":',
          '[]',
          'null',
          `{"date":"${good.date}","kind":"zero","at":"\\ud800"}`,
        ]),
      );
    default:
      tags.add('huge');
      return Buffer.from(JSON.stringify({ ...good, pad: 'x'.repeat(rng.pick([70_000, 300_000])) }));
  }
}
