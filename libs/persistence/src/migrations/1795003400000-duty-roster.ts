import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Duty (issue 17): rostered shifts, handovers (交接班) and the duty log (值班日志).
 *
 * One user's shifts must not overlap: the service takes a per-user advisory lock before it
 * checks and inserts (PGlite, the embedded engine, has no btree_gist for an exclusion
 * constraint on uuid, and one code path must serve both engines).
 *
 * The duty log is a hash chain like audit_log (libs/domain/src/duty-log.ts): append-only
 * by trigger, and keyed so an edit cannot be re-hashed with database access alone.
 */
export class DutyRoster1795003400000 implements MigrationInterface {
  name = 'DutyRoster1795003400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE duty_shifts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        site_id uuid NOT NULL REFERENCES sites(id),
        user_id uuid NOT NULL REFERENCES users(id),
        role varchar(10) NOT NULL CHECK (role IN ('leader', 'officer')),
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (ends_at > starts_at)
      )`);
    await q.query(`CREATE INDEX duty_shifts_site_idx ON duty_shifts (site_id, starts_at)`);
    await q.query(`CREATE INDEX duty_shifts_user_idx ON duty_shifts (user_id, starts_at)`);

    await q.query(`
      CREATE TABLE duty_handovers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        site_id uuid NOT NULL REFERENCES sites(id),
        from_user_id uuid NOT NULL REFERENCES users(id),
        to_user_id uuid NOT NULL REFERENCES users(id),
        notes text,
        open_items jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        due_by timestamptz NOT NULL,
        confirmed_at timestamptz,
        alerted_at timestamptz
      )`);
    await q.query(`CREATE INDEX duty_handovers_site_idx ON duty_handovers (site_id, created_at)`);
    await q.query(
      `CREATE INDEX duty_handovers_due_idx ON duty_handovers (due_by) WHERE confirmed_at IS NULL AND alerted_at IS NULL`,
    );

    await q.query(`
      CREATE TABLE duty_log (
        seq bigint PRIMARY KEY,
        at timestamptz NOT NULL,
        actor_id uuid,
        kind varchar(20) NOT NULL,
        site_id uuid NOT NULL,
        data jsonb NOT NULL,
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL
      )`);
    await q.query(`CREATE INDEX duty_log_site_idx ON duty_log (site_id, at)`);
    await q.query(`
      CREATE FUNCTION duty_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'duty_log is append-only';
      END $$`);
    await q.query(`
      CREATE TRIGGER duty_log_append_only BEFORE UPDATE OR DELETE ON duty_log
      FOR EACH ROW EXECUTE FUNCTION duty_log_append_only()`);
    await q.query(`
      CREATE TRIGGER duty_log_no_truncate BEFORE TRUNCATE ON duty_log
      FOR EACH STATEMENT EXECUTE FUNCTION duty_log_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE duty_log`);
    await q.query(`DROP FUNCTION duty_log_append_only()`);
    await q.query(`DROP TABLE duty_handovers`);
    await q.query(`DROP TABLE duty_shifts`);
  }
}
