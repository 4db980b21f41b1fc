import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 应急队伍 (issue 23, docs/resources.md): teams and their alerts. `teams.status` holds only what
 * a person sets (available, unavailable); alerted and deployed are read from the latest open
 * alert's directive recipient, so no event can be lost between a 签收 and the team's status.
 * team_alerts.directive_id is checked at commit (DEFERRABLE): the alert row is written in the
 * directive's own transaction, before the directive row. response_id has no foreign key: the
 * responses table belongs to the plans area and may land later.
 */
export class Teams1795004000000 implements MigrationInterface {
  name = 'Teams1795004000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE teams (
        id uuid PRIMARY KEY,
        name varchar(60) NOT NULL,
        kind varchar(16) NOT NULL
          CHECK (kind IN ('general', 'flood', 'forest-fire', 'hazmat', 'medical', 'village-shock', 'other')),
        site_id uuid NOT NULL REFERENCES sites(id),
        leader_name varchar(50) NOT NULL,
        leader_phone varchar(32) NOT NULL,
        leader_user_id uuid REFERENCES users(id),
        headcount int NOT NULL CHECK (headcount BETWEEN 1 AND 100000),
        equipment jsonb NOT NULL DEFAULT '[]'::jsonb,
        assemble_minutes int NOT NULL CHECK (assemble_minutes BETWEEN 0 AND 10080),
        status varchar(12) NOT NULL DEFAULT 'available' CHECK (status IN ('available', 'unavailable')),
        last_verified_at timestamptz,
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (kind <> 'village-shock' OR headcount >= 30)
      )`);
    // an alert names the team: two teams of one site must not share a name
    await q.query(`CREATE UNIQUE INDEX teams_site_name_key ON teams (site_id, lower(name))`);
    await q.query(`
      CREATE TABLE team_alerts (
        id uuid PRIMARY KEY,
        team_id uuid NOT NULL REFERENCES teams(id),
        directive_id uuid NOT NULL REFERENCES directives(id) DEFERRABLE INITIALLY DEFERRED,
        site_id uuid NOT NULL REFERENCES sites(id),
        response_id uuid,
        drill_id uuid REFERENCES drills(id),
        incident_id uuid REFERENCES incidents(id),
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        released_at timestamptz,
        released_reason varchar(16) CHECK (released_reason IN ('response-end', 'manual'))
      )`);
    await q.query(`CREATE INDEX team_alerts_team_idx ON team_alerts (team_id, created_at DESC)`);
    await q.query(
      `CREATE INDEX team_alerts_response_idx ON team_alerts (response_id) WHERE response_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX team_alerts_directive_idx ON team_alerts (directive_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE team_alerts`);
    await q.query(`DROP TABLE teams`);
  }
}
