import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Row triggers do not fire on TRUNCATE, so `TRUNCATE audit_log` emptied the log past the
 * append-only guard (and an empty chain verifies). A statement trigger closes that door.
 */
export class AuditNoTruncate1795000400000 implements MigrationInterface {
  name = 'AuditNoTruncate1795000400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER audit_log_no_truncate ON audit_log`);
  }
}
