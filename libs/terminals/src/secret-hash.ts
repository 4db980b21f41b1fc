import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Terminal secrets are 192 random bits, so a fast salted hash is enough: guessing is
 * hopeless whatever the hash costs, and 10,000 terminals reconnecting at once stay cheap.
 * The format is Mosquitto's own "$6$" password-file entry (base64 salt, base64
 * SHA-512(secret || salt)), so the registry can write Mosquitto's password file without
 * ever holding a plaintext secret.
 */
const SALT_BYTES = 12;

export function newTerminalSecret(): string {
  return randomBytes(24).toString('base64url');
}

export function hashTerminalSecret(secret: string, salt: Buffer = randomBytes(SALT_BYTES)): string {
  const digest = createHash('sha512').update(secret, 'utf8').update(salt).digest();
  return `$6$${salt.toString('base64')}$${digest.toString('base64')}`;
}

export function verifyTerminalSecret(secret: string, stored: string): boolean {
  const parts = stored.split('$');
  if (parts.length !== 4 || parts[1] !== '6') return false;
  const expected = Buffer.from(parts[3]!, 'base64');
  const digest = createHash('sha512')
    .update(secret, 'utf8')
    .update(Buffer.from(parts[2]!, 'base64'))
    .digest();
  return expected.length === digest.length && timingSafeEqual(expected, digest);
}
