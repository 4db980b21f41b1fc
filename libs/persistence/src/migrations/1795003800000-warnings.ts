import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 预警信息发布 (issue 19): warnings (one row per CAP message: the alert, each update and
 * the cancellation), their workflow steps, the per-second identifier sequence that keeps
 * GB/T 35965.1 identifiers unique across a cluster, and the link from a directive to the
 * warning it carries on every channel.
 */
export class Warnings1795003800000 implements MigrationInterface {
  name = 'Warnings1795003800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE warnings (
        id uuid PRIMARY KEY,
        identifier varchar(40) NOT NULL UNIQUE,
        sender varchar(200) NOT NULL,
        msg_type varchar(8) NOT NULL CHECK (msg_type IN ('Alert', 'Update', 'Cancel')),
        status varchar(10) NOT NULL CHECK (status IN ('Actual', 'Exercise', 'Test')),
        state varchar(12) NOT NULL
          CHECK (state IN ('draft', 'review', 'approved', 'published', 'superseded', 'cancelled', 'expired')),
        event text NOT NULL,
        level directive_level NOT NULL,
        headline text NOT NULL,
        description text NOT NULL,
        instruction text NOT NULL,
        en jsonb,
        region_codes text[] NOT NULL,
        polygons text[] NOT NULL DEFAULT '{}',
        onset timestamptz NOT NULL,
        expires timestamptz NOT NULL,
        drill_id uuid,
        previous_id uuid REFERENCES warnings(id),
        superseded_by_id uuid REFERENCES warnings(id),
        -- the directive that carries it (no FK: the link is written before the directive row,
        -- in the same transaction; directives.warning_id is the checked direction)
        directive_id uuid,
        -- CAP references: [{sender, identifier, sent}] of every earlier message
        refs jsonb NOT NULL DEFAULT '[]'::jsonb,
        emergency boolean NOT NULL DEFAULT false,
        issuer_site_id uuid NOT NULL REFERENCES sites(id),
        issuer_site_path text NOT NULL,
        imported_identifier text,
        imported_sender text,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid REFERENCES users(id),
        submitted_at timestamptz,
        submitted_by uuid REFERENCES users(id),
        approved_at timestamptz,
        approved_by uuid REFERENCES users(id),
        rejected_at timestamptz,
        rejected_by uuid REFERENCES users(id),
        reject_reason text,
        published_at timestamptz,
        published_by uuid REFERENCES users(id),
        cancelled_at timestamptz,
        cancelled_by uuid REFERENCES users(id),
        cancel_reason text
      )`);
    await q.query(`CREATE INDEX warnings_state_idx ON warnings (state, created_at DESC)`);
    await q.query(`CREATE INDEX warnings_issuer_path_idx ON warnings (issuer_site_path text_pattern_ops)`);
    await q.query(`
      CREATE TABLE warning_steps (
        id bigserial PRIMARY KEY,
        warning_id uuid NOT NULL REFERENCES warnings(id),
        step varchar(24) NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        actor_id uuid REFERENCES users(id),
        reason text
      )`);
    await q.query(`CREATE INDEX warning_steps_warning_idx ON warning_steps (warning_id, id)`);
    // one row per (region, org, Beijing second): the sequence digit N of the identifier
    await q.query(`
      CREATE TABLE warning_identifier_seq (
        prefix varchar(40) PRIMARY KEY,
        last_value int NOT NULL
      )`);
    await q.query(`ALTER TABLE directives ADD COLUMN warning_id uuid REFERENCES warnings(id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE directives DROP COLUMN warning_id`);
    await q.query(`DROP TABLE warning_identifier_seq`);
    await q.query(`DROP TABLE warning_steps`);
    await q.query(`DROP TABLE warnings`);
  }
}
