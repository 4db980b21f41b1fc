import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * warning_identifier_seq held one row per (region, org, second) an identifier was taken in,
 * forever, though a row is only read within its own second (and the minute after, when ten
 * were taken at once). `taken_at` lets each new identifier prune the rows of the past.
 */
export class WarningIdentifierPrune1795004300000 implements MigrationInterface {
  name = 'WarningIdentifierPrune1795004300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE warning_identifier_seq ADD COLUMN taken_at timestamptz NOT NULL DEFAULT now()`,
    );
    await q.query(`CREATE INDEX warning_identifier_seq_taken_idx ON warning_identifier_seq (taken_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE warning_identifier_seq DROP COLUMN taken_at`);
  }
}
