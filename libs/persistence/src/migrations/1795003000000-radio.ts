import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Radio over IP (issue 16): talkgroups of radio gateways, every transmission on them (each
 * with its WAV under DATA_DIR/radio/), radio emergencies awaiting a dispatcher's
 * acknowledgement, and patches between two talkgroups. A gateway belongs to at most one
 * talkgroup (terminal_id is the key): one RTP leg per gateway, and a patch covers the rest.
 */
export class Radio1795003000000 implements MigrationInterface {
  name = 'Radio1795003000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE talkgroups (
        id uuid PRIMARY KEY,
        name varchar(64) NOT NULL,
        site_id uuid NOT NULL REFERENCES sites(id),
        codec varchar(8) NOT NULL DEFAULT 'PCMA' CHECK (codec IN ('PCMA', 'opus')),
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`CREATE INDEX talkgroups_site_idx ON talkgroups (site_id) WHERE deleted_at IS NULL`);
    await q.query(`
      CREATE TABLE talkgroup_gateways (
        terminal_id varchar(23) PRIMARY KEY REFERENCES terminals(id),
        talkgroup_id uuid NOT NULL REFERENCES talkgroups(id),
        -- remote inhibit (遥毙): the hub neither relays from (tx) nor to (rx) this gateway
        inhibit_tx boolean NOT NULL DEFAULT false,
        inhibit_rx boolean NOT NULL DEFAULT false
      )`);
    await q.query(`CREATE INDEX talkgroup_gateways_tg_idx ON talkgroup_gateways (talkgroup_id)`);
    await q.query(`
      CREATE TABLE transmissions (
        id uuid PRIMARY KEY,
        talkgroup_id uuid NOT NULL REFERENCES talkgroups(id),
        talker_kind varchar(8) NOT NULL,
        talker_id varchar(64) NOT NULL,
        talker_name varchar(100) NOT NULL,
        rank varchar(12) NOT NULL,
        directive_id uuid,
        started_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz,
        interrupted boolean NOT NULL DEFAULT false,
        audio_path text,
        bytes integer NOT NULL DEFAULT 0,
        duration_ms integer
      )`);
    await q.query(`CREATE INDEX transmissions_tg_idx ON transmissions (talkgroup_id, started_at DESC)`);
    await q.query(`CREATE INDEX transmissions_open_idx ON transmissions (started_at) WHERE ended_at IS NULL`);
    await q.query(`
      CREATE TABLE radio_emergencies (
        id uuid PRIMARY KEY,
        talkgroup_id uuid NOT NULL REFERENCES talkgroups(id),
        terminal_id varchar(23) NOT NULL,
        transmission_id uuid,
        raised_at timestamptz NOT NULL DEFAULT now(),
        acked_at timestamptz,
        acked_by uuid REFERENCES users(id)
      )`);
    await q.query(`
      CREATE TABLE talkgroup_patches (
        a uuid NOT NULL REFERENCES talkgroups(id),
        b uuid NOT NULL REFERENCES talkgroups(id),
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (a, b),
        CHECK (a < b)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE talkgroup_patches`);
    await q.query(`DROP TABLE radio_emergencies`);
    await q.query(`DROP TABLE transmissions`);
    await q.query(`DROP TABLE talkgroup_gateways`);
    await q.query(`DROP TABLE talkgroups`);
  }
}
