import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `terminals.replay_claimed_at`: which moment a bridge last took on replaying a terminal's
 * outbox after it came back. With an external broker every bridge sees the device's
 * `online` status; the first to claim replays, the others stand back, so a terminal on a
 * satellite link gets its missed directives once, not once per bridge.
 */
export class TerminalReplayClaim1795000700000 implements MigrationInterface {
  name = 'TerminalReplayClaim1795000700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE terminals ADD COLUMN replay_claimed_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE terminals DROP COLUMN replay_claimed_at`);
  }
}
