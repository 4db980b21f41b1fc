import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cheaper rows for the terminal outbox, where a directive to a county writes 10,000 rows
 * and updates each of them once or twice within seconds (on the embedded engine every
 * index entry costs WebAssembly time):
 * - `payload` becomes text: it is only ever sent as is, so jsonb bought a parse on every
 *   insert and a re-serialisation on every read, and nothing queries inside it;
 * - the UNIQUE index on `seq` goes: a bigserial is unique by construction, ordering uses
 *   (terminal_id, seq), and the extra index was one more entry per insert and update.
 */
export class TerminalMessageLean1795000500000 implements MigrationInterface {
  name = 'TerminalMessageLean1795000500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE terminal_messages ALTER COLUMN payload TYPE text USING payload::text`);
    await q.query(`ALTER TABLE terminal_messages DROP CONSTRAINT terminal_messages_seq_key`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE terminal_messages ADD CONSTRAINT terminal_messages_seq_key UNIQUE (seq)`);
    await q.query(`ALTER TABLE terminal_messages ALTER COLUMN payload TYPE jsonb USING payload::jsonb`);
  }
}
