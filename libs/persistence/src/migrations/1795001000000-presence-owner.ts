import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who vouches for a terminal's `online`: `terminals.presence_owner` is the bridge process
 * whose embedded broker holds the device's connection (null with an external broker, whose
 * retained statuses and Wills are the truth), and `bridge_heartbeats` says which of those
 * processes still live. A bridge that stopped (gracefully or with kill -9) cannot write its
 * devices' `offline`; its successor, or any live bridge once the heartbeat is stale, does.
 */
export class PresenceOwner1795001000000 implements MigrationInterface {
  name = 'PresenceOwner1795001000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE terminals ADD COLUMN presence_owner text`);
    await q.query(`
      CREATE TABLE bridge_heartbeats (
        instance text PRIMARY KEY,
        seen_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE bridge_heartbeats`);
    await q.query(`ALTER TABLE terminals DROP COLUMN presence_owner`);
  }
}
