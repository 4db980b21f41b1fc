import { describe, expect, it } from '@jest/globals';
import { AckDirectiveRequestSchema } from './directives.js';
import { CreateSiteRequestSchema, UpdateSiteRequestSchema } from './sites.js';
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

describe('site coordinates and duty phone', () => {
  it('accepts a site placed on the map with a duty phone, and a PATCH that clears the coordinates', () => {
    const created = CreateSiteRequestSchema.safeParse({
      name: '青山镇',
      kind: 'township',
      lat: 31.25,
      lng: -180,
      dutyPhone: ' 0551-1234567 ',
    });
    expect(created.success).toBe(true);
    expect(created.data?.dutyPhone).toBe('0551-1234567');
    expect(UpdateSiteRequestSchema.safeParse({ lat: null, lng: null }).success).toBe(true);
    expect(UpdateSiteRequestSchema.safeParse({ dutyPhone: null }).success).toBe(true);
  });

  it.each([
    [{ lat: 90.01, lng: 0 }, 'lat', 'must be -90..90'],
    [{ lat: -91, lng: 0 }, 'lat', 'must be -90..90'],
    [{ lat: 0, lng: 180.5 }, 'lng', 'must be -180..180'],
    [{ lat: 30 }, 'lng', 'lat and lng go together: give both or neither'],
    [{ dutyPhone: '110; DROP' }, 'dutyPhone', 'must be 3-32 digits, spaces, "+", "-" or parentheses'],
  ])('refuses %j on %s', (extra, path, message) => {
    const result = CreateSiteRequestSchema.safeParse({ name: 'x', kind: 'township', ...extra });
    expect(result.success).toBe(false);
    expect(fieldIssues(result.error!)).toContainEqual({ path, message });
  });

  it('refuses an empty PATCH and one that sets only half the coordinates', () => {
    expect(UpdateSiteRequestSchema.safeParse({}).success).toBe(false);
    const half = UpdateSiteRequestSchema.safeParse({ lat: null });
    expect(half.success).toBe(false);
    expect(fieldIssues(half.error!)).toContainEqual({
      path: 'lng',
      message: 'lat and lng go together: give both or neither',
    });
  });

  it('holds a 代签收 phone to the same rule as a user phone', () => {
    expect(AckDirectiveRequestSchema.safeParse({ phone: '138 0000 0000' }).success).toBe(true);
    expect(AckDirectiveRequestSchema.safeParse({ phone: 'call 王五' }).success).toBe(false);
  });
});
