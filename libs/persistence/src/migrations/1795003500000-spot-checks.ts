import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 查岗 spot checks (issue 17): a check, its target sites and their answers, the escalations
 * after two misses in a row, schedules, and the claim row that lets exactly one instance
 * of a cluster fire each scheduled slot.
 */
export class SpotChecks1795003500000 implements MigrationInterface {
  name = 'SpotChecks1795003500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE spot_check_schedules (
        id uuid PRIMARY KEY,
        created_by uuid NOT NULL REFERENCES users(id),
        scope_site_id uuid NOT NULL REFERENCES sites(id),
        times text[] NOT NULL DEFAULT '{}',
        random_count int,
        random_between text[],
        sample_count int NOT NULL,
        window_seconds int NOT NULL,
        channels text[] NOT NULL,
        drill boolean NOT NULL DEFAULT false,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE spot_checks (
        id uuid PRIMARY KEY,
        issued_by uuid NOT NULL REFERENCES users(id),
        issuer_site_id uuid NOT NULL REFERENCES sites(id),
        schedule_id uuid REFERENCES spot_check_schedules(id),
        channels text[] NOT NULL,
        drill boolean NOT NULL DEFAULT false,
        window_seconds int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        deadline timestamptz NOT NULL,
        settled_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX spot_checks_unsettled_idx ON spot_checks (deadline) WHERE settled_at IS NULL`,
    );
    await q.query(`CREATE INDEX spot_checks_created_idx ON spot_checks (created_at)`);
    await q.query(`
      CREATE TABLE spot_check_targets (
        check_id uuid NOT NULL REFERENCES spot_checks(id),
        site_id uuid NOT NULL REFERENCES sites(id),
        state varchar(8) NOT NULL DEFAULT 'pending'
          CHECK (state IN ('pending', 'answered', 'late', 'missed')),
        answered_at timestamptz,
        latency_ms int,
        channel varchar(8),
        answered_by uuid REFERENCES users(id),
        device_id varchar(23),
        on_roster boolean,
        PRIMARY KEY (check_id, site_id)
      )`);
    // a site's own checks (its console's catch-up, its miss streak)
    await q.query(`CREATE INDEX spot_check_targets_site_idx ON spot_check_targets (site_id)`);
    await q.query(`
      CREATE TABLE spot_check_escalations (
        id bigserial PRIMARY KEY,
        check_id uuid NOT NULL REFERENCES spot_checks(id),
        site_id uuid NOT NULL REFERENCES sites(id),
        parent_site_id uuid NOT NULL REFERENCES sites(id),
        misses int NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (check_id, site_id)
      )`);
    await q.query(`
      CREATE TABLE spot_check_schedule_runs (
        schedule_id uuid NOT NULL REFERENCES spot_check_schedules(id),
        slot_at timestamptz NOT NULL,
        check_id uuid,
        claimed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (schedule_id, slot_at)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE spot_check_schedule_runs`);
    await q.query(`DROP TABLE spot_check_escalations`);
    await q.query(`DROP TABLE spot_check_targets`);
    await q.query(`DROP TABLE spot_checks`);
    await q.query(`DROP TABLE spot_check_schedules`);
  }
}
