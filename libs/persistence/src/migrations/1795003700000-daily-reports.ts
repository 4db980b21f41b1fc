import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 日报告/零报告 (issue 18): a round of daily reports for a date, each site's state in it
 * (one round per site and date), every submitted version (append-only), and the claim row
 * that lets exactly one instance of a cluster open the day's automatic round.
 */
export class DailyReports1795003700000 implements MigrationInterface {
  name = 'DailyReports1795003700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE daily_report_rounds (
        id uuid PRIMARY KEY,
        date varchar(10) NOT NULL,
        due_at timestamptz NOT NULL,
        remind_at timestamptz,
        closes_at timestamptz NOT NULL,
        drill boolean NOT NULL DEFAULT false,
        opened_by uuid REFERENCES users(id),
        scope_site_id uuid REFERENCES sites(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        reminded_at timestamptz,
        chased_at timestamptz,
        closed_at timestamptz
      )`);
    await q.query(`CREATE INDEX daily_report_rounds_date_idx ON daily_report_rounds (date)`);
    // the sweep's questions: what is due to be reminded, chased or closed
    await q.query(
      `CREATE INDEX daily_report_rounds_open_idx ON daily_report_rounds (closes_at) WHERE closed_at IS NULL`,
    );
    await q.query(`
      CREATE TABLE daily_report_targets (
        site_id uuid NOT NULL REFERENCES sites(id),
        date varchar(10) NOT NULL,
        round_id uuid NOT NULL REFERENCES daily_report_rounds(id),
        state varchar(9) NOT NULL DEFAULT 'pending'
          CHECK (state IN ('pending', 'submitted', 'zero', 'late', 'missing')),
        first_at timestamptz,
        late_seconds int,
        version int NOT NULL DEFAULT 0,
        last_at timestamptz,
        kind varchar(6),
        channel varchar(8),
        PRIMARY KEY (site_id, date)
      )`);
    await q.query(`CREATE INDEX daily_report_targets_round_idx ON daily_report_targets (round_id)`);
    await q.query(`
      CREATE TABLE daily_reports (
        id uuid PRIMARY KEY,
        round_id uuid NOT NULL REFERENCES daily_report_rounds(id),
        site_id uuid NOT NULL REFERENCES sites(id),
        date varchar(10) NOT NULL,
        version int NOT NULL,
        kind varchar(6) NOT NULL CHECK (kind IN ('normal', 'zero')),
        text text,
        channel varchar(8) NOT NULL,
        submitted_by uuid REFERENCES users(id),
        terminal_id varchar(23),
        device_at timestamptz,
        submitted_at timestamptz NOT NULL,
        late boolean NOT NULL,
        dedup_key text,
        UNIQUE (site_id, date, version),
        UNIQUE (site_id, date, dedup_key)
      )`);
    await q.query(`
      CREATE TABLE daily_report_auto_runs (
        date varchar(10) PRIMARY KEY,
        round_id uuid,
        claimed_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE daily_report_auto_runs`);
    await q.query(`DROP TABLE daily_reports`);
    await q.query(`DROP TABLE daily_report_targets`);
    await q.query(`DROP TABLE daily_report_rounds`);
  }
}
