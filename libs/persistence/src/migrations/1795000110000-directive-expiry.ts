import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A directive may be valid only until `expires_at`: past it, recipients that have not
 * acknowledged become `expired` and nothing is delivered late (docs/directives.md).
 */
export class DirectiveExpiry1795000110000 implements MigrationInterface {
  name = 'DirectiveExpiry1795000110000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE directives ADD COLUMN expires_at timestamptz`);
    await q.query(
      `CREATE INDEX directives_expires_at_idx ON directives (expires_at) WHERE expires_at IS NOT NULL AND status = 'issued'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX directives_expires_at_idx`);
    await q.query(`ALTER TABLE directives DROP COLUMN expires_at`);
  }
}
