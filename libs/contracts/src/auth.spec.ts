import { describe, expect, it } from '@jest/globals';
import { CreateUserRequestSchema } from './auth.js';
import { fieldIssues } from './validation.js';

const valid = {
  username: 'zhang.san_01',
  password: 'long enough',
  role: 'dispatcher',
  siteId: '3f2c8a4e-6b1d-4c7a-9e2f-1a2b3c4d5e6f',
};

/** The field issues for `valid` with `patch` applied. */
const issuesFor = (patch: Record<string, unknown>) => {
  const result = CreateUserRequestSchema.safeParse({ ...valid, ...patch });
  return result.success ? [] : fieldIssues(result.error);
};

describe('CreateUserRequestSchema', () => {
  it('accepts a valid request', () => {
    expect(CreateUserRequestSchema.parse(valid)).toEqual(valid);
  });

  it.each(['ab', 'zhang san', '张三', 'a/b', 'x'.repeat(65)])('rejects username %j', (username) => {
    expect(issuesFor({ username })).toEqual([
      { path: 'username', message: 'must be 3-64 letters, digits, "_", "." or "-"' },
    ]);
  });

  it('rejects a password under 8 characters', () => {
    expect(issuesFor({ password: 'seven77' })).toEqual([
      { path: 'password', message: 'must be at least 8 characters' },
    ]);
  });

  it('rejects an unknown role', () => {
    const issues = issuesFor({ role: 'superuser' });
    expect(issues.map((i) => i.path)).toEqual(['role']);
    expect(issues[0]!.message).toContain('"duty_officer"');
  });

  it('rejects a siteId that is not a uuid', () => {
    expect(issuesFor({ siteId: 'site-1' }).map((i) => i.path)).toEqual(['siteId']);
  });

  it('rejects an unknown extra field', () => {
    expect(issuesFor({ isAdmin: true }).map((i) => i.path)).toEqual(['(body)']);
  });
});
