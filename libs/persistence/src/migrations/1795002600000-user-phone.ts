import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A call-back number for a user (issue 22, item 5): a duty room that reads a directive at
 * 3 a.m. needs whom to ring about it, and the directive shows its issuer's number.
 * Nullable, no default: a catalog change only, no table rewrite.
 */
export class UserPhone1795002600000 implements MigrationInterface {
  name = 'UserPhone1795002600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN phone varchar(32)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN phone`);
  }
}
