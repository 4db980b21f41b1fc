import { describe, expect, it } from '@jest/globals';
import { describeWeakness, passwordWeakness } from './password-policy.js';

describe('password policy', () => {
  it.each([
    ['the issue: digits', '12345678'],
    ['the issue: password', 'password'],
    ['the issue: eight spaces', '        '],
    ['upper case of a common one', 'PASSWORD'],
    ['full-width digits (NFKC)', '\uFF11\uFF12\uFF13\uFF14\uFF15\uFF16\uFF17\uFF18'],
    ['too short', 'Ab3$xy7'],
    ['one repeated character', '11111111'],
    ['two characters alternating', 'abababababab'],
    ['tabs and newlines only', '\t\t\n\n\t\t\n\n'],
  ])('refuses %s', (_case, pw) => {
    expect(passwordWeakness(pw)).not.toBeNull();
  });

  it('refuses the username itself, in any case', () => {
    expect(passwordWeakness('Commander-1', 'commander-1')?.en).toBe('the password may not be the username');
    expect(passwordWeakness('commander-1', 'other-user')).toBeNull();
  });

  it.each(['admin-password-1', 'password-123', 'correct-horse-1', 'pass-word-22', '值班员口令2026'])(
    'accepts %s',
    (pw) => {
      expect(passwordWeakness(pw, 'admin')).toBeNull();
    },
  );

  it('gives the reason in Chinese and English', () => {
    const message = describeWeakness(passwordWeakness('12345678')!);
    expect(message).toContain('密码过于常见');
    expect(message).toContain('the password is too common');
  });
});
