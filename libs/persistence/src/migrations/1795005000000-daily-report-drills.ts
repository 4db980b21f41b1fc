import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Daily-report rounds join drills (issue 19, docs/reporting-daily.md): a round may carry a
 * `drill_id`, and a site is in at most one round per (date, drill or none), so a drill's
 * round of a date stands beside the real round of that date instead of colliding with it.
 * The targets carry the drill id too (copied from the round), because the uniqueness lives
 * on them; a report's version and dedup key are counted per round, not per site and date.
 * The drill report reads a drill's consultations by `drill_id`, hence their partial index.
 */
export class DailyReportDrills1795005000000 implements MigrationInterface {
  name = 'DailyReportDrills1795005000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE daily_report_rounds ADD COLUMN drill_id uuid REFERENCES drills(id)`);
    await q.query(
      `CREATE INDEX daily_report_rounds_drill_idx ON daily_report_rounds (drill_id) WHERE drill_id IS NOT NULL`,
    );
    await q.query(`ALTER TABLE daily_report_targets ADD COLUMN drill_id uuid`);
    await q.query(`ALTER TABLE daily_report_targets DROP CONSTRAINT daily_report_targets_pkey`);
    // NULLS NOT DISTINCT would say the same, but an expression index reads on every engine we run
    await q.query(
      `CREATE UNIQUE INDEX daily_report_targets_site_date_drill
       ON daily_report_targets (site_id, date, COALESCE(drill_id, '00000000-0000-0000-0000-000000000000'::uuid))`,
    );
    await q.query(`ALTER TABLE daily_reports DROP CONSTRAINT daily_reports_site_id_date_version_key`);
    await q.query(`ALTER TABLE daily_reports DROP CONSTRAINT daily_reports_site_id_date_dedup_key_key`);
    await q.query(
      `ALTER TABLE daily_reports ADD CONSTRAINT daily_reports_round_site_version UNIQUE (round_id, site_id, version)`,
    );
    await q.query(
      `ALTER TABLE daily_reports ADD CONSTRAINT daily_reports_round_site_dedup UNIQUE (round_id, site_id, dedup_key)`,
    );
    await q.query(
      `CREATE INDEX consultations_drill_idx ON consultations (drill_id) WHERE drill_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX consultations_drill_idx`);
    await q.query(
      `DELETE FROM daily_reports WHERE round_id IN (SELECT id FROM daily_report_rounds WHERE drill_id IS NOT NULL)`,
    );
    await q.query(`DELETE FROM daily_report_targets WHERE drill_id IS NOT NULL`);
    await q.query(`DELETE FROM daily_report_rounds WHERE drill_id IS NOT NULL`);
    await q.query(`ALTER TABLE daily_reports DROP CONSTRAINT daily_reports_round_site_dedup`);
    await q.query(`ALTER TABLE daily_reports DROP CONSTRAINT daily_reports_round_site_version`);
    await q.query(`ALTER TABLE daily_reports ADD UNIQUE (site_id, date, dedup_key)`);
    await q.query(`ALTER TABLE daily_reports ADD UNIQUE (site_id, date, version)`);
    await q.query(`DROP INDEX daily_report_targets_site_date_drill`);
    await q.query(`ALTER TABLE daily_report_targets DROP COLUMN drill_id`);
    await q.query(`ALTER TABLE daily_report_targets ADD PRIMARY KEY (site_id, date)`);
    await q.query(`ALTER TABLE daily_report_rounds DROP COLUMN drill_id`);
  }
}
