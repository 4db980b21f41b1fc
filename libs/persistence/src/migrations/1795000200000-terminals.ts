import type { MigrationInterface, QueryRunner } from 'typeorm';

/** 一呼百应 terminals, radio gateways, and the per-terminal outbox (store-and-forward). */
export class Terminals1795000200000 implements MigrationInterface {
  name = 'Terminals1795000200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE terminal_kind AS ENUM ('push', 'radio')`);
    await q.query(`
      CREATE TABLE terminals (
        id varchar(23) PRIMARY KEY,
        name varchar(100) NOT NULL,
        site_id uuid NOT NULL REFERENCES sites(id),
        kind terminal_kind NOT NULL,
        talkgroup varchar(64),
        secret_hash text NOT NULL,
        revoked_at timestamptz,
        presence varchar(8) NOT NULL DEFAULT 'never',
        telemetry jsonb,
        last_seen_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX terminals_site_idx ON terminals (site_id)`);

    await q.query(
      `CREATE TYPE terminal_message_state AS ENUM ('queued', 'sent', 'received', 'acknowledged', 'expired')`,
    );
    // seq orders a terminal's messages: replay after an outage goes in seq order.
    await q.query(`
      CREATE TABLE terminal_messages (
        id uuid PRIMARY KEY,
        seq bigserial NOT NULL UNIQUE,
        terminal_id varchar(23) NOT NULL REFERENCES terminals(id),
        directive_id text NOT NULL,
        payload jsonb NOT NULL,
        state terminal_message_state NOT NULL DEFAULT 'queued',
        expires_at timestamptz,
        send_count int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        received_at timestamptz,
        acknowledged_at timestamptz,
        expired_at timestamptz
      )`);
    // a directive reaches a terminal once, however often delivery is retried
    await q.query(
      `CREATE UNIQUE INDEX terminal_messages_once_key ON terminal_messages (terminal_id, directive_id)`,
    );
    await q.query(
      `CREATE INDEX terminal_messages_pending_idx ON terminal_messages (terminal_id, seq)
       WHERE state IN ('queued', 'sent', 'received')`,
    );
    await q.query(
      `CREATE INDEX terminal_messages_expiry_idx ON terminal_messages (expires_at)
       WHERE state IN ('queued', 'sent', 'received') AND expires_at IS NOT NULL`,
    );
    await q.query(`CREATE INDEX terminal_messages_directive_idx ON terminal_messages (directive_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE terminal_messages`);
    await q.query(`DROP TYPE terminal_message_state`);
    await q.query(`DROP TABLE terminals`);
    await q.query(`DROP TYPE terminal_kind`);
  }
}
