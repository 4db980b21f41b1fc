import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { describeIssues, fieldIssues } from './validation.js';

const Schema = z.strictObject({
  name: z.string().min(1, 'must not be empty'),
  contacts: z.array(z.object({ phone: z.string().regex(/^\d+$/, 'digits only') })),
});

describe('fieldIssues / describeIssues', () => {
  it('joins nested paths with dots', () => {
    const result = Schema.safeParse({ name: '', contacts: [{ phone: '123' }, { phone: 'x' }] });
    expect(fieldIssues(result.error!)).toEqual([
      { path: 'name', message: 'must not be empty' },
      { path: 'contacts.1.phone', message: 'digits only' },
    ]);
  });

  it('describes issues as "path: message" joined by "; "', () => {
    const result = Schema.safeParse({ name: '', contacts: [{ phone: 'x' }] });
    expect(describeIssues(fieldIssues(result.error!))).toBe(
      'name: must not be empty; contacts.0.phone: digits only',
    );
  });

  it('uses "(body)" for an issue about the whole body', () => {
    const result = Schema.safeParse('not an object');
    const issues = fieldIssues(result.error!);
    expect(issues).toHaveLength(1);
    expect(describeIssues(issues)).toMatch(/^\(body\): /);
  });

  it('describes no issues as an empty string', () => {
    expect(describeIssues([])).toBe('');
  });
});
