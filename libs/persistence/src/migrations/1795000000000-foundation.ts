import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1795000000000 implements MigrationInterface {
  name = 'Foundation1795000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE site_kind AS ENUM ('command', 'township', 'village')`);
    await q.query(`
      CREATE TABLE sites (
        id uuid PRIMARY KEY,
        name varchar(100) NOT NULL,
        kind site_kind NOT NULL,
        parent_id uuid REFERENCES sites(id),
        region_code varchar(12),
        path text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX sites_region_code_key ON sites (region_code) WHERE region_code IS NOT NULL`,
    );
    await q.query(`CREATE INDEX sites_parent_idx ON sites (parent_id)`);
    await q.query(`CREATE INDEX sites_path_prefix_idx ON sites (path text_pattern_ops)`);

    await q.query(`CREATE TYPE user_role AS ENUM ('admin', 'commander', 'dispatcher', 'duty_officer')`);
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        username varchar(64) NOT NULL,
        display_name varchar(100),
        password_hash text NOT NULL,
        role user_role NOT NULL,
        site_id uuid NOT NULL REFERENCES sites(id),
        disabled boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX users_username_key ON users (lower(username))`);
    await q.query(`CREATE INDEX users_site_idx ON users (site_id)`);

    await q.query(`
      CREATE TABLE audit_log (
        seq bigint PRIMARY KEY,
        at timestamptz NOT NULL,
        actor_id uuid,
        action varchar(100) NOT NULL,
        subject_type varchar(50) NOT NULL,
        subject_id text,
        data jsonb NOT NULL,
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL
      )`);
    // Defence in depth: the application never updates or deletes audit rows, and the
    // database refuses it too. Someone with DDL rights can still drop the trigger; the
    // hash chain is what detects that.
    await q.query(`
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);

    await q.query(`
      CREATE TABLE jobs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        job_key text UNIQUE,
        name varchar(100) NOT NULL,
        data jsonb NOT NULL,
        run_at timestamptz NOT NULL DEFAULT now(),
        attempts int NOT NULL DEFAULT 0,
        max_attempts int NOT NULL DEFAULT 5,
        locked_until timestamptz,
        last_error text,
        failed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX jobs_due_idx ON jobs (run_at) WHERE failed_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE jobs`);
    await q.query(`DROP TRIGGER audit_log_append_only ON audit_log`);
    await q.query(`DROP FUNCTION audit_log_append_only()`);
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP TABLE users`);
    await q.query(`DROP TYPE user_role`);
    await q.query(`DROP TABLE sites`);
    await q.query(`DROP TYPE site_kind`);
  }
}
