import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox's foreign key to `terminals` goes. Terminals are never deleted (revocation
 * sets `revoked_at`), and the outbox only writes ids it has just read from `terminals`,
 * so the key could never fire; it still ran a referential-integrity trigger per row, a
 * third of the cost of writing a directive's 10,000 rows on the embedded engine.
 */
export class TerminalMessageNoFk1795000600000 implements MigrationInterface {
  name = 'TerminalMessageNoFk1795000600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE terminal_messages DROP CONSTRAINT terminal_messages_terminal_id_fkey`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE terminal_messages ADD CONSTRAINT terminal_messages_terminal_id_fkey
       FOREIGN KEY (terminal_id) REFERENCES terminals(id)`,
    );
  }
}
