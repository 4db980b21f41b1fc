import { describe, expect, it } from '@jest/globals';
import { hashTerminalSecret, newTerminalSecret, verifyTerminalSecret } from './secret-hash.js';

describe('terminal secret hash', () => {
  it('verifies the secret it hashed and nothing else', () => {
    const secret = newTerminalSecret();
    const stored = hashTerminalSecret(secret);
    expect(stored).toMatch(/^\$6\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]{88}$/);
    expect(verifyTerminalSecret(secret, stored)).toBe(true);
    expect(verifyTerminalSecret(`${secret}x`, stored)).toBe(false);
    expect(verifyTerminalSecret('', stored)).toBe(false);
  });

  it('salts: one secret hashes differently each time', () => {
    expect(hashTerminalSecret('same-secret')).not.toBe(hashTerminalSecret('same-secret'));
  });

  it('rejects a malformed stored hash instead of throwing', () => {
    expect(verifyTerminalSecret('x', 'plain')).toBe(false);
    expect(verifyTerminalSecret('x', '$7$a$b')).toBe(false);
  });
});
