import { readFileSync } from 'node:fs';
import { buildCapXml } from './build.js';
import { parseCap } from './parse.js';
import { validateCap } from './validate.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/cap/${name}`, import.meta.url));

describe('the sample alerts in test/fixtures/cap', () => {
  it.each(['canada.cap', 'australia.cap', 'de-valid.xml'])(
    '%s is valid CAP 1.2 and survives parse → build',
    async (name) => {
      const result = await validateCap(fixture(name));
      expect(result).toEqual({ valid: true, version: '1.2', errors: [] });
      const parsed = await parseCap(fixture(name));
      if (!('alert' in parsed)) throw new Error(JSON.stringify(parsed.errors));
      const rebuilt = buildCapXml(parsed.alert);
      expect(await validateCap(rebuilt)).toEqual({ valid: true, version: '1.2', errors: [] });
      const again = await parseCap(rebuilt);
      expect(again).toEqual(parsed);
    },
  );

  it('invalid.cap fails, naming scope and the line', async () => {
    const result = await validateCap(fixture('invalid.cap'));
    expect(result.valid).toBe(false);
    expect(result.version).toBe('1.2');
    expect(result.errors).toEqual([
      {
        message: "Element 'info': This element is not expected. Expected is one of ( source, scope ).",
        line: 9,
      },
    ]);
  });

  it('weather.cap (CAP 1.1) is an unsupported version', async () => {
    const result = await validateCap(fixture('weather.cap'));
    expect(result).toEqual({
      valid: false,
      version: '1.1',
      errors: [{ message: expect.stringContaining('unsupported version') as string, line: 2 }],
    });
  });

  it('xee.cap is refused for its DOCTYPE', async () => {
    const result = await validateCap(fixture('xee.cap'));
    expect(result.valid).toBe(false);
    expect(result.version).toBeNull();
    expect(result.errors).toEqual([{ message: expect.stringContaining('DOCTYPE') as string, line: 3 }]);
    expect(await parseCap(fixture('xee.cap'))).toEqual({ errors: result.errors });
  });
});
