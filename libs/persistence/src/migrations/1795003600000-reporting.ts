import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 信息报送 (issue 18), the incident side: the versioned rule table (an incident keeps the
 * version it was opened under, copied onto its row), incidents, their reports (append-only:
 * only the sign-off may be set, once), findings (append-only), and the alert claims that
 * let exactly one instance send each deadline's due/overdue/escalation step.
 */
export class Reporting1795003600000 implements MigrationInterface {
  name = 'Reporting1795003600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reporting_rules (
        version int NOT NULL,
        level varchar(8) NOT NULL CHECK (level IN ('I', 'II', 'III', 'IV', 'unrated')),
        phone_within_s int,
        written_within_s int,
        followup_every_s int,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (version, level)
      )`);
    await q.query(`
      INSERT INTO reporting_rules (version, level, phone_within_s, written_within_s, followup_every_s) VALUES
        (1, 'I', 1800, 3600, 86400), (1, 'II', 1800, 3600, 86400), (1, 'III', NULL, 7200, 86400),
        (1, 'IV', NULL, 7200, 86400), (1, 'unrated', NULL, 7200, 86400)`);
    await q.query(`
      CREATE TABLE incidents (
        id uuid PRIMARY KEY,
        site_id uuid NOT NULL REFERENCES sites(id),
        title varchar(200) NOT NULL,
        category varchar(50) NOT NULL,
        level varchar(8) NOT NULL,
        occurred_at timestamptz NOT NULL,
        learned_at timestamptz NOT NULL,
        location varchar(500) NOT NULL,
        summary text NOT NULL,
        casualties jsonb,
        drill boolean NOT NULL DEFAULT false,
        rules_version int NOT NULL,
        phone_within_s int,
        written_within_s int,
        followup_every_s int,
        state varchar(8) NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
        closed_at timestamptz,
        external_source varchar(200),
        external_registered_at timestamptz,
        external_registered_by uuid REFERENCES users(id),
        external_learned_at timestamptz,
        external_due_at timestamptz,
        opened_externally boolean NOT NULL DEFAULT false,
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX incidents_site_idx ON incidents (site_id, created_at)`);
    await q.query(`CREATE INDEX incidents_open_idx ON incidents (created_at) WHERE state = 'open'`);
    await q.query(`
      CREATE TABLE incident_reports (
        id uuid PRIMARY KEY,
        incident_id uuid NOT NULL REFERENCES incidents(id),
        seq int NOT NULL,
        kind varchar(8) NOT NULL CHECK (kind IN ('phone', 'initial', 'followup', 'final')),
        content text NOT NULL,
        corrects uuid REFERENCES incident_reports(id),
        submitted_at timestamptz NOT NULL,
        submitted_by uuid NOT NULL REFERENCES users(id),
        due_at timestamptz,
        late_by_s int NOT NULL DEFAULT 0,
        signed_at timestamptz,
        signed_by uuid REFERENCES users(id),
        UNIQUE (incident_id, seq)
      )`);
    // Nothing submitted is edited: a correction is a new version. Only the sign-off columns
    // may be set, and only once; rows are never deleted.
    await q.query(`
      CREATE FUNCTION incident_reports_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'incident_reports is append-only';
        END IF;
        IF NEW.id <> OLD.id OR NEW.incident_id <> OLD.incident_id OR NEW.seq <> OLD.seq
          OR NEW.kind <> OLD.kind OR NEW.content <> OLD.content
          OR NEW.corrects IS DISTINCT FROM OLD.corrects
          OR NEW.submitted_at <> OLD.submitted_at OR NEW.submitted_by <> OLD.submitted_by
          OR NEW.due_at IS DISTINCT FROM OLD.due_at OR NEW.late_by_s <> OLD.late_by_s THEN
          RAISE EXCEPTION 'a submitted report is never edited: submit a correction';
        END IF;
        IF OLD.signed_at IS NOT NULL AND (NEW.signed_at IS DISTINCT FROM OLD.signed_at
          OR NEW.signed_by IS DISTINCT FROM OLD.signed_by) THEN
          RAISE EXCEPTION 'a report is signed off once';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER incident_reports_append_only BEFORE UPDATE OR DELETE ON incident_reports
      FOR EACH ROW EXECUTE FUNCTION incident_reports_append_only()`);
    await q.query(`
      CREATE TABLE report_findings (
        id uuid PRIMARY KEY,
        site_id uuid NOT NULL REFERENCES sites(id),
        kind varchar(10) NOT NULL CHECK (kind IN ('late', 'missed', 'concealed')),
        incident_id uuid REFERENCES incidents(id),
        date date,
        seconds int,
        note text,
        slot varchar(80),
        drill boolean NOT NULL DEFAULT false,
        created_by uuid REFERENCES users(id),
        at timestamptz NOT NULL DEFAULT now(),
        CHECK (incident_id IS NOT NULL OR date IS NOT NULL)
      )`);
    // one automatic finding per incident deadline, however many instances or retries make it
    await q.query(
      `CREATE UNIQUE INDEX report_findings_slot_idx ON report_findings (incident_id, slot) WHERE slot IS NOT NULL`,
    );
    await q.query(`CREATE INDEX report_findings_site_idx ON report_findings (site_id, at)`);
    await q.query(`
      CREATE FUNCTION report_findings_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'report_findings is append-only';
      END $$`);
    await q.query(`
      CREATE TRIGGER report_findings_append_only BEFORE UPDATE OR DELETE ON report_findings
      FOR EACH ROW EXECUTE FUNCTION report_findings_append_only()`);
    await q.query(`
      CREATE TABLE report_alerts (
        incident_id uuid NOT NULL REFERENCES incidents(id),
        slot varchar(80) NOT NULL,
        stage varchar(10) NOT NULL CHECK (stage IN ('due', 'overdue', 'escalated')),
        at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (incident_id, slot, stage)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE report_alerts`);
    await q.query(`DROP TABLE report_findings`);
    await q.query(`DROP FUNCTION report_findings_append_only()`);
    await q.query(`DROP TABLE incident_reports`);
    await q.query(`DROP FUNCTION incident_reports_append_only()`);
    await q.query(`DROP TABLE incidents`);
    await q.query(`DROP TABLE reporting_rules`);
  }
}
