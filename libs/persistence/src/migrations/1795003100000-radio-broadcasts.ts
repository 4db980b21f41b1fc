import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Directive broadcasts on the radio (docs/radio-voice.md): one row per (delivery message,
 * talkgroup). The job runs at least once; the row makes a retried job skip what went out
 * whole and keeps a broadcast that found the talkgroup busy counting its tries, so after
 * the last one the sites are reported failed instead of the job vanishing. The audio plays
 * after the job has returned (a broadcast is over a minute on air; the embedded job queue
 * runs a batch to its end), so the row's lease is what survives a crash. No foreign key
 * to talkgroups: a deleted talkgroup leaves the record of what was said on it.
 */
export class RadioBroadcasts1795003100000 implements MigrationInterface {
  name = 'RadioBroadcasts1795003100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE radio_broadcasts (
        message_id uuid NOT NULL,
        talkgroup_id uuid NOT NULL,
        directive_id uuid NOT NULL REFERENCES directives(id),
        site_ids uuid[] NOT NULL,
        -- the job that started it: a broadcast whose worker died is started again from it
        job jsonb NOT NULL,
        state varchar(8) NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'sent', 'failed')),
        attempts int NOT NULL DEFAULT 0,
        claimed_until timestamptz,
        transmission_ids text[] NOT NULL DEFAULT '{}',
        reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (message_id, talkgroup_id)
      )`);
    await q.query(`CREATE INDEX radio_broadcasts_directive_idx ON radio_broadcasts (directive_id)`);
    await q.query(
      `CREATE INDEX radio_broadcasts_lease_idx ON radio_broadcasts (claimed_until) WHERE state = 'waiting' AND claimed_until IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE radio_broadcasts`);
  }
}
