import { describe, expect, it } from '@jest/globals';
import { CreateSiteRequestSchema } from './sites.js';
import { fieldIssues } from './validation.js';

const PARENT = '3f2c8a4e-6b1d-4c7a-9e2f-1a2b3c4d5e6f';

describe('CreateSiteRequestSchema', () => {
  it.each(['110101', '110101001', '110101001001'])('accepts regionCode %s', (regionCode) => {
    const result = CreateSiteRequestSchema.safeParse({
      name: '  城关镇 ',
      kind: 'township',
      parentId: PARENT,
      regionCode,
    });
    expect(result.success).toBe(true);
    expect(result.data).toEqual({ name: '城关镇', kind: 'township', parentId: PARENT, regionCode });
  });

  it.each(['1101011', '11010', '1101010011', 'abcdef'])('rejects regionCode %s', (regionCode) => {
    const result = CreateSiteRequestSchema.safeParse({ name: 'x', kind: 'command', regionCode });
    expect(result.success).toBe(false);
    expect(fieldIssues(result.error!)).toEqual([
      { path: 'regionCode', message: 'must be 6, 9 or 12 digits (GB/T 2260 style)' },
    ]);
  });

  it('rejects an unknown extra field as a body issue naming the key', () => {
    const result = CreateSiteRequestSchema.safeParse({ name: 'x', kind: 'command', owner: 'me' });
    expect(result.success).toBe(false);
    const issues = fieldIssues(result.error!);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('(body)');
    expect(issues[0]!.message).toContain('owner');
  });

  it('rejects an unknown kind, a blank name and a non-uuid parentId', () => {
    const result = CreateSiteRequestSchema.safeParse({ name: '   ', kind: 'province', parentId: '42' });
    expect(fieldIssues(result.error!).map((i) => i.path)).toEqual(['name', 'kind', 'parentId']);
  });
});
