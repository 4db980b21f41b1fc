import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 预案 and 启动响应 (issue 23, docs/plans.md). A plan's versions are immutable rows; a
 * response pins one. Every action a response starts is a `response_actions` row written
 * before it runs (pending), then marked started or failed: a crash mid-start leaves pending
 * rows that the board shows and a retry finishes. directive_id is checked at commit: the
 * action is marked in the directive's own transaction, before the directive row is written.
 * Consultations gain `drill_id` (演练).
 */
export class Plans1795004200000 implements MigrationInterface {
  name = 'Plans1795004200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE plans (
        id uuid PRIMARY KEY,
        site_id uuid NOT NULL REFERENCES sites(id),
        site_path text NOT NULL,
        latest_version int NOT NULL,
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX plans_site_path_idx ON plans (site_path text_pattern_ops)`);
    await q.query(`
      CREATE TABLE plan_versions (
        plan_id uuid NOT NULL REFERENCES plans(id),
        version int NOT NULL,
        name varchar(200) NOT NULL,
        hazard varchar(20) NOT NULL,
        levels jsonb NOT NULL,
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (plan_id, version)
      )`);
    await q.query(`
      CREATE TABLE responses (
        id uuid PRIMARY KEY,
        plan_id uuid NOT NULL REFERENCES plans(id),
        plan_version int NOT NULL,
        level varchar(3) NOT NULL CHECK (level IN ('I', 'II', 'III', 'IV')),
        incident_id uuid REFERENCES incidents(id),
        drill boolean NOT NULL DEFAULT false,
        drill_id uuid REFERENCES drills(id),
        consultation_id uuid,
        started_by uuid NOT NULL REFERENCES users(id),
        starter_site_id uuid NOT NULL REFERENCES sites(id),
        starter_site_path text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz,
        ended_by uuid REFERENCES users(id),
        summary text,
        FOREIGN KEY (plan_id, plan_version) REFERENCES plan_versions(plan_id, version)
      )`);
    // one running response per incident and level: the second start is 409
    await q.query(
      `CREATE UNIQUE INDEX responses_incident_level_idx ON responses (incident_id, level)
       WHERE incident_id IS NOT NULL AND ended_at IS NULL`,
    );
    await q.query(`CREATE INDEX responses_started_idx ON responses (started_at DESC)`);
    await q.query(`
      CREATE TABLE response_levels (
        response_id uuid NOT NULL REFERENCES responses(id),
        seq int NOT NULL,
        level varchar(3) NOT NULL,
        changed_by uuid NOT NULL REFERENCES users(id),
        changed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (response_id, seq)
      )`);
    await q.query(`
      CREATE TABLE response_actions (
        id uuid PRIMARY KEY,
        response_id uuid NOT NULL REFERENCES responses(id),
        seq int NOT NULL,
        level varchar(3) NOT NULL,
        kind varchar(20) NOT NULL,
        title varchar(200) NOT NULL,
        spec jsonb NOT NULL,
        state varchar(8) NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'started', 'failed')),
        reason text,
        directive_id uuid REFERENCES directives(id) DEFERRABLE INITIALLY DEFERRED,
        consultation_id uuid,
        warning_id uuid,
        site_ids uuid[] NOT NULL DEFAULT '{}',
        team_alerts jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        attempted_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        UNIQUE (response_id, seq)
      )`);
    await q.query(`ALTER TABLE consultations ADD COLUMN drill_id uuid REFERENCES drills(id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE consultations DROP COLUMN drill_id`);
    await q.query(`DROP TABLE response_actions`);
    await q.query(`DROP TABLE response_levels`);
    await q.query(`DROP TABLE responses`);
    await q.query(`DROP TABLE plan_versions`);
    await q.query(`DROP TABLE plans`);
  }
}
