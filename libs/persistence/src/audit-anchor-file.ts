import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { SignedAuditHead } from '#domain';

/**
 * The signed head of the audit chain, kept in a file outside the database (DATA_DIR), so
 * someone who can only write the database cannot cut the chain's tail unnoticed.
 */
export class AuditAnchorFile {
  constructor(readonly path: string) {}

  /** null: never anchored. A file that is not a head reads as one no key signed. */
  read(): SignedAuditHead | null {
    if (!existsSync(this.path)) return null;
    try {
      const v = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<SignedAuditHead>;
      return {
        seq: Number(v.seq),
        hash: String(v.hash),
        at: String(v.at),
        keyedFrom: v.keyedFrom == null ? null : Number(v.keyedFrom),
        mac: String(v.mac),
      };
    } catch {
      return { seq: 0, hash: '', at: 'unreadable', keyedFrom: null, mac: '' };
    }
  }

  /** Written whole or not at all: a crash mid-write leaves the previous head. */
  write(head: SignedAuditHead): void {
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(head)}\n`, { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}
