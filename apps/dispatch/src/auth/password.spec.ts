import { describe, expect, it } from '@jest/globals';
import { hashPassword, verifyPassword } from './password.js';

describe('password hashing', () => {
  it('stores scheme, parameters, salt and a 32-byte key', async () => {
    const stored = await hashPassword('correct horse');
    const [scheme, n, r, p, salt, key] = stored.split('$');
    expect([scheme, n, r, p]).toEqual(['scrypt', '32768', '8', '1']);
    expect(Buffer.from(salt!, 'base64')).toHaveLength(16);
    expect(Buffer.from(key!, 'base64')).toHaveLength(32);
  });

  it('verifies the right password and rejects a wrong one', async () => {
    const stored = await hashPassword('correct horse');
    await expect(verifyPassword('correct horse', stored)).resolves.toBe(true);
    await expect(verifyPassword('correct horsf', stored)).resolves.toBe(false);
    await expect(verifyPassword('', stored)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    expect(a).not.toBe(b);
    await expect(verifyPassword('same password', b)).resolves.toBe(true);
  });

  it('normalises to NFKC: full-width and ASCII digits are the same password', async () => {
    const fullWidth = '\uFF11\uFF12\uFF13\uFF14\uFF15\uFF16\uFF17\uFF18'; // １２３４５６７８
    await expect(verifyPassword('12345678', await hashPassword(fullWidth))).resolves.toBe(true);
    await expect(verifyPassword(fullWidth, await hashPassword('12345678'))).resolves.toBe(true);
  });

  it.each([
    ['empty', ''],
    ['another scheme', 'bcrypt$32768$8$1$c2FsdHNhbHRzYWx0c2FsdA==$a2V5'],
    ['missing key', 'scrypt$32768$8$1$c2FsdHNhbHRzYWx0c2FsdA=='],
    ['empty salt and key', 'scrypt$32768$8$1$$'],
  ])('returns false for a malformed stored hash (%s)', async (_case, stored) => {
    await expect(verifyPassword('anything', stored)).resolves.toBe(false);
  });

  it('returns false (does not throw) when the stored parameters are not numbers', async () => {
    await expect(verifyPassword('anything', 'scrypt$x$8$1$c2FsdA==$a2V5')).resolves.toBe(false);
  });

  it('rejects any password when the stored key decodes to zero bytes', async () => {
    await expect(verifyPassword('anything', 'scrypt$32768$8$1$c2FsdA==$!!!!')).resolves.toBe(false);
  });
});
