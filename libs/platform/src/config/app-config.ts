import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { RawConfig } from './config.schema.js';

export type RunMode = 'embedded' | 'cluster';

/** The validated, typed configuration every module receives by injection. */
export class AppConfig {
  readonly mode: RunMode;
  readonly dataDir: string;
  readonly instanceId: string;

  constructor(
    readonly raw: RawConfig,
    /** JWT secret after embedded-mode generation; never logged */
    readonly jwtSecret: string,
    /** the audit chain's HMAC key (AUDIT_KEY, AUDIT_KEY_FILE or DATA_DIR/audit-key); never logged */
    readonly auditKey: Buffer,
  ) {
    this.mode = raw.DATABASE_URL ? 'cluster' : 'embedded';
    this.dataDir = resolve(raw.DATA_DIR);
    this.instanceId = raw.INSTANCE_ID ?? `${hostname()}:${process.pid}`;
  }

  get port(): number {
    return this.raw.PORT;
  }
}
