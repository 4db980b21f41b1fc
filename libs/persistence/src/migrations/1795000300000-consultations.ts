import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Video consultations (视频会商): the meeting, who attended, roll calls (点名) and recordings. */
export class Consultations1795000300000 implements MigrationInterface {
  name = 'Consultations1795000300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE consultation_state AS ENUM ('scheduled', 'live', 'ended')`);
    await q.query(`
      CREATE TABLE consultations (
        id uuid PRIMARY KEY,
        title varchar(200) NOT NULL,
        state consultation_state NOT NULL DEFAULT 'scheduled',
        host_site_id uuid NOT NULL REFERENCES sites(id),
        created_by uuid NOT NULL REFERENCES users(id),
        site_ids uuid[] NOT NULL,
        directive_id uuid,
        scheduled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz
      )`);
    await q.query(`CREATE INDEX consultations_state_idx ON consultations (state, created_at DESC)`);
    await q.query(`CREATE INDEX consultations_sites_idx ON consultations USING gin (site_ids)`);
    await q.query(
      `CREATE INDEX consultations_directive_idx ON consultations (directive_id) WHERE directive_id IS NOT NULL`,
    );

    // one row per join; left_at stays null while present (or after a crash, closed at next start)
    await q.query(`
      CREATE TABLE consultation_attendance (
        id uuid PRIMARY KEY,
        consultation_id uuid NOT NULL REFERENCES consultations(id),
        user_id uuid NOT NULL REFERENCES users(id),
        site_id uuid NOT NULL REFERENCES sites(id),
        joined_at timestamptz NOT NULL DEFAULT now(),
        left_at timestamptz,
        left_reason varchar(16)
      )`);
    await q.query(
      `CREATE INDEX consultation_attendance_idx ON consultation_attendance (consultation_id, joined_at)`,
    );

    await q.query(`
      CREATE TABLE consultation_roll_calls (
        id uuid PRIMARY KEY,
        consultation_id uuid NOT NULL REFERENCES consultations(id),
        started_by uuid NOT NULL REFERENCES users(id),
        site_ids uuid[] NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX consultation_roll_calls_idx ON consultation_roll_calls (consultation_id, started_at)`,
    );
    // a site answers a roll call once: the first answer is the one on the record
    await q.query(`
      CREATE TABLE consultation_roll_call_answers (
        roll_call_id uuid NOT NULL REFERENCES consultation_roll_calls(id),
        site_id uuid NOT NULL REFERENCES sites(id),
        user_id uuid NOT NULL REFERENCES users(id),
        answered_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (roll_call_id, site_id)
      )`);

    await q.query(`CREATE TYPE recording_state AS ENUM ('recording', 'stopped', 'interrupted', 'failed')`);
    await q.query(`
      CREATE TABLE consultation_recordings (
        id uuid PRIMARY KEY,
        consultation_id uuid NOT NULL REFERENCES consultations(id),
        state recording_state NOT NULL DEFAULT 'recording',
        started_by uuid NOT NULL REFERENCES users(id),
        started_at timestamptz NOT NULL DEFAULT now(),
        stopped_at timestamptz,
        files jsonb NOT NULL DEFAULT '[]',
        error text
      )`);
    await q.query(
      `CREATE INDEX consultation_recordings_idx ON consultation_recordings (consultation_id, started_at)`,
    );
    await q.query(
      `CREATE UNIQUE INDEX consultation_recordings_one_active ON consultation_recordings (consultation_id) WHERE state = 'recording'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE consultation_recordings`);
    await q.query(`DROP TYPE recording_state`);
    await q.query(`DROP TABLE consultation_roll_call_answers`);
    await q.query(`DROP TABLE consultation_roll_calls`);
    await q.query(`DROP TABLE consultation_attendance`);
    await q.query(`DROP TABLE consultations`);
    await q.query(`DROP TYPE consultation_state`);
  }
}
