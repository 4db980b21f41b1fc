import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AppConfig } from './app-config.js';
import { ConfigSchema, type RawConfig } from './config.schema.js';
import { StartupError } from '../startup-error.js';

const KNOWN_KEYS = new Set(Object.keys(ConfigSchema.shape));

/** Values never echoed back in an error, even when rejected. */
function printable(key: string, value: unknown): string {
  if (value == null) return 'nothing';
  if (/SECRET|PASSWORD|TOKEN|AUDIT_KEY$/.test(key)) return '<redacted>';
  const text = String(value);
  if (key.endsWith('_URL')) {
    try {
      const u = new URL(text);
      u.username = u.username ? '***' : '';
      u.password = '';
      return JSON.stringify(u.toString());
    } catch {
      return JSON.stringify(text.replace(/\/\/[^@/]*@/, '//***@'));
    }
  }
  return JSON.stringify(text);
}

/** Reads config/*.yaml (sorted by name) into one flat map of variable names. */
function readYamlFiles(configDir: string): Record<string, unknown> {
  if (!existsSync(configDir)) return {};
  const merged: Record<string, unknown> = {};
  const files = readdirSync(configDir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  for (const file of files) {
    const path = join(configDir, file);
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new StartupError(
        `config file ${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`,
      );
    }
    if (doc == null) continue;
    if (typeof doc !== 'object' || Array.isArray(doc)) {
      throw new StartupError(`config file ${path} must be a map of VARIABLE: value`);
    }
    for (const [key, value] of Object.entries(doc)) {
      if (!KNOWN_KEYS.has(key)) throw new StartupError(`config file ${path}: unknown setting ${key}`);
      merged[key] = value == null ? undefined : String(value);
    }
  }
  return merged;
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  configDir?: string;
}

/** Validates everything at once and fails with one line naming the first bad variable. */
export function parseConfig(options: LoadConfigOptions = {}): RawConfig {
  const env = options.env ?? process.env;
  const fromFiles = readYamlFiles(options.configDir ?? resolve('config'));
  const input: Record<string, unknown> = { ...fromFiles };
  for (const key of KNOWN_KEYS) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = ConfigSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0] ?? 'config');
    throw new StartupError(`invalid ${name}: ${issue.message} (got ${printable(name, input[name])})`);
  }
  const raw = result.data;
  if (raw.DATABASE_URL && !raw.JWT_SECRET) {
    throw new StartupError(
      'missing JWT_SECRET: required when DATABASE_URL is set (every instance must share one secret of 32+ characters)',
    );
  }
  if (raw.AUDIT_KEY && raw.AUDIT_KEY_FILE) {
    throw new StartupError('invalid AUDIT_KEY_FILE: set AUDIT_KEY or AUDIT_KEY_FILE, not both');
  }
  if (raw.DATABASE_URL && !raw.AUDIT_KEY && !raw.AUDIT_KEY_FILE) {
    throw new StartupError(
      'missing AUDIT_KEY: required when DATABASE_URL is set (every instance must share one audit key of 32+ characters, or read it from one file named by AUDIT_KEY_FILE)',
    );
  }
  if (raw.SFU_RTC_MIN_PORT > raw.SFU_RTC_MAX_PORT) {
    throw new StartupError('invalid SFU_RTC_MIN_PORT: expected a port not above SFU_RTC_MAX_PORT');
  }
  return raw;
}

/**
 * In embedded mode the JWT secret is generated once and kept in DATA_DIR, so tokens
 * survive a restart without anyone having to configure a secret on a township laptop.
 */
function embeddedJwtSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= 32) return secret;
    throw new StartupError(
      `invalid ${file}: expected a secret of at least 32 characters; delete it to regenerate`,
    );
  }
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
}

/**
 * The audit chain's key: from the environment, from a shared file, or (embedded) generated
 * once into DATA_DIR. Never from the database, which is what it protects.
 */
function auditKey(raw: RawConfig, dataDir: string): Buffer {
  if (raw.AUDIT_KEY) return Buffer.from(raw.AUDIT_KEY, 'utf8');
  const file = raw.AUDIT_KEY_FILE ? resolve(raw.AUDIT_KEY_FILE) : join(dataDir, 'audit-key');
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (key.length >= 32) return Buffer.from(key, 'utf8');
    throw new StartupError(`invalid ${file}: expected an audit key of at least 32 characters`);
  }
  if (raw.AUDIT_KEY_FILE) throw new StartupError(`invalid AUDIT_KEY_FILE: ${file} does not exist`);
  const key = randomBytes(48).toString('base64url');
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return Buffer.from(key, 'utf8');
}

export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const raw = parseConfig(options);
  const dataDir = resolve(raw.DATA_DIR);
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (err) {
    throw new StartupError(
      `invalid DATA_DIR: cannot create ${dataDir} (${(err as NodeJS.ErrnoException).code})`,
    );
  }
  const secret = raw.JWT_SECRET ?? embeddedJwtSecret(dataDir);
  return new AppConfig(raw, secret, auditKey(raw, dataDir));
}
