import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The chain becomes keyed (HMAC-SHA256, libs/domain/src/audit-chain.ts). Rows already
 * written keep their plain SHA-256 and are marked version 1; the store writes version 2
 * from now on, starting with an `audit.rekeyed` entry. No default after this: a row that
 * does not say how it was hashed is refused.
 *
 * The (subject_id, seq) index serves the console's per-subject paging backwards.
 */
export class AuditKeyed1795001600000 implements MigrationInterface {
  name = 'AuditKeyed1795001600000';

  async up(q: QueryRunner): Promise<void> {
    // a constant default fills existing rows without rewriting them (no UPDATE, no trigger)
    await q.query(`ALTER TABLE audit_log ADD COLUMN hash_version smallint NOT NULL DEFAULT 1`);
    await q.query(`ALTER TABLE audit_log ALTER COLUMN hash_version DROP DEFAULT`);
    await q.query(`CREATE INDEX audit_log_subject_seq_idx ON audit_log (subject_id, seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX audit_log_subject_seq_idx`);
    await q.query(`ALTER TABLE audit_log DROP COLUMN hash_version`);
  }
}
