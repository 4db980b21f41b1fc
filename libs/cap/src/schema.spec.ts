import { readFileSync } from 'node:fs';
import { CAP12_XSD } from './cap12-schema.js';

describe('the embedded schema', () => {
  it('is libs/cap/schema/cap12.xsd verbatim, OASIS copyright header included', () => {
    const file = readFileSync(new URL('../schema/cap12.xsd', import.meta.url), 'utf8');
    expect(CAP12_XSD).toBe(file);
    expect(CAP12_XSD).toContain('<!-- Copyright OASIS Open 2010 All Rights Reserved -->');
  });
});
