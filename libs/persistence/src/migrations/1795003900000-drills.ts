import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 演练 (issue 19, docs/drills.md): drills, their sites, and the link from each item done in a
 * drill (directive, spot check, incident, warning) to it. warnings.drill_id predates this
 * table, so its foreign key is NOT VALID: rows written before it are not re-checked, every
 * new one is.
 */
export class Drills1795003900000 implements MigrationInterface {
  name = 'Drills1795003900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE drills (
        id uuid PRIMARY KEY,
        name varchar(200) NOT NULL,
        kind varchar(10) NOT NULL CHECK (kind IN ('tabletop', 'functional', 'full', 'no-notice')),
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
        ended_at timestamptz,
        ended_by uuid REFERENCES users(id),
        created_by uuid NOT NULL REFERENCES users(id),
        creator_site_id uuid NOT NULL REFERENCES sites(id),
        creator_site_path text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX drills_created_idx ON drills (created_at DESC)`);
    await q.query(`
      CREATE TABLE drill_sites (
        drill_id uuid NOT NULL REFERENCES drills(id),
        site_id uuid NOT NULL REFERENCES sites(id),
        position int NOT NULL,
        PRIMARY KEY (drill_id, site_id)
      )`);
    // a duty officer's "drills involving my site"
    await q.query(`CREATE INDEX drill_sites_site_idx ON drill_sites (site_id)`);
    for (const table of ['directives', 'spot_checks', 'incidents']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN drill_id uuid REFERENCES drills(id)`);
      await q.query(`CREATE INDEX ${table}_drill_idx ON ${table} (drill_id) WHERE drill_id IS NOT NULL`);
    }
    await q.query(
      `ALTER TABLE warnings ADD CONSTRAINT warnings_drill_fk FOREIGN KEY (drill_id) REFERENCES drills(id) NOT VALID`,
    );
    await q.query(`CREATE INDEX warnings_drill_idx ON warnings (drill_id) WHERE drill_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX warnings_drill_idx`);
    await q.query(`ALTER TABLE warnings DROP CONSTRAINT warnings_drill_fk`);
    for (const table of ['incidents', 'spot_checks', 'directives']) {
      await q.query(`ALTER TABLE ${table} DROP COLUMN drill_id`);
    }
    await q.query(`DROP TABLE drill_sites`);
    await q.query(`DROP TABLE drills`);
  }
}
