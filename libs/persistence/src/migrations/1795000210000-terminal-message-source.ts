import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Terminal messages are de-duplicated on the message that caused them (the delivery job's
 * messageId), not on (terminal, directive): an escalation re-delivery of the same directive
 * comes with a new messageId and must reach the terminal again, while a retried job adds
 * nothing. `topic` says which device topic a row goes out on: `directives`, or `notices`
 * (updates and cancellations, an addition to device protocol v1).
 */
export class TerminalMessageSource1795000210000 implements MigrationInterface {
  name = 'TerminalMessageSource1795000210000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE terminal_messages ADD COLUMN source_id text`);
    await q.query(`UPDATE terminal_messages SET source_id = directive_id`);
    await q.query(`ALTER TABLE terminal_messages ALTER COLUMN source_id SET NOT NULL`);
    await q.query(`ALTER TABLE terminal_messages ADD COLUMN topic varchar(16) NOT NULL DEFAULT 'directives'`);
    await q.query(`DROP INDEX terminal_messages_once_key`);
    await q.query(
      `CREATE UNIQUE INDEX terminal_messages_source_key ON terminal_messages (terminal_id, source_id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX terminal_messages_source_key`);
    await q.query(
      `CREATE UNIQUE INDEX terminal_messages_once_key ON terminal_messages (terminal_id, directive_id)`,
    );
    await q.query(`ALTER TABLE terminal_messages DROP COLUMN topic`);
    await q.query(`ALTER TABLE terminal_messages DROP COLUMN source_id`);
  }
}
