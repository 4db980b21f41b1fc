import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sites gain optional coordinates (the console's offline map) and a duty phone (the
 * board's rows). Coordinates are both set or both null, and within WGS-84 ranges, here as
 * well as in the REST contract: a row written another way cannot break the map's projection.
 */
export class SiteMapPhone1795003300000 implements MigrationInterface {
  name = 'SiteMapPhone1795003300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sites
      ADD COLUMN lat double precision,
      ADD COLUMN lng double precision,
      ADD COLUMN duty_phone varchar(32),
      ADD CONSTRAINT sites_coordinates_check CHECK (
        (lat IS NULL AND lng IS NULL)
        OR (lat BETWEEN -90 AND 90 AND lng BETWEEN -180 AND 180))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sites DROP CONSTRAINT sites_coordinates_check,
      DROP COLUMN lat, DROP COLUMN lng, DROP COLUMN duty_phone`);
  }
}
