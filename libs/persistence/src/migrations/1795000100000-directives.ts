import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Directives (指令), their recipients and history, the outbox, site groups, templates, leaders on duty. */
export class Directives1795000100000 implements MigrationInterface {
  name = 'Directives1795000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE directive_level AS ENUM ('red', 'orange', 'yellow', 'blue')`);
    await q.query(`CREATE TYPE directive_status AS ENUM ('issued', 'cancelled', 'closed')`);
    await q.query(
      `CREATE TYPE recipient_state AS ENUM ('pending', 'delivered', 'acknowledged', 'completed', 'expired', 'failed')`,
    );
    // "2026-0001": one counter per year, taken with an upsert inside the issuing transaction
    await q.query(`CREATE TABLE directive_serials (year int PRIMARY KEY, last_value int NOT NULL)`);
    await q.query(`
      CREATE TABLE directives (
        id uuid PRIMARY KEY,
        serial varchar(20) NOT NULL UNIQUE,
        title text NOT NULL,
        body text NOT NULL,
        level directive_level NOT NULL,
        status directive_status NOT NULL DEFAULT 'issued',
        ack_within_seconds int NOT NULL CHECK (ack_within_seconds > 0),
        ack_by timestamptz NOT NULL,
        drill boolean NOT NULL DEFAULT false,
        issued_by uuid NOT NULL REFERENCES users(id),
        issuer_site_id uuid NOT NULL REFERENCES sites(id),
        issuer_site_path text NOT NULL,
        template_id uuid,
        issued_at timestamptz NOT NULL DEFAULT now(),
        cancelled_at timestamptz,
        closed_at timestamptz
      )`);
    await q.query(`CREATE INDEX directives_issued_at_idx ON directives (issued_at DESC)`);
    await q.query(
      `CREATE INDEX directives_issuer_path_idx ON directives (issuer_site_path text_pattern_ops)`,
    );

    // The original, updates and the cancellation: a sent directive is never edited in place.
    await q.query(`
      CREATE TABLE directive_messages (
        id uuid PRIMARY KEY,
        directive_id uuid NOT NULL REFERENCES directives(id),
        kind varchar(10) NOT NULL CHECK (kind IN ('issue', 'update', 'cancel')),
        text text,
        actor_id uuid,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX directive_messages_directive_idx ON directive_messages (directive_id, at)`);

    await q.query(`
      CREATE TABLE directive_recipients (
        directive_id uuid NOT NULL REFERENCES directives(id),
        site_id uuid NOT NULL REFERENCES sites(id),
        state recipient_state NOT NULL DEFAULT 'pending',
        delivered_at timestamptz,
        delivered_via varchar(20),
        acknowledged_at timestamptz,
        acknowledged_by uuid,
        acknowledged_via varchar(20),
        ack_note text,
        completed_at timestamptz,
        completed_by uuid,
        feedback text,
        overdue boolean NOT NULL DEFAULT false,
        escalation_level int NOT NULL DEFAULT 0,
        -- the escalation schedule lives here, not in the queue: timers only wake the check
        next_escalation_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (directive_id, site_id)
      )`);
    await q.query(`CREATE INDEX directive_recipients_site_idx ON directive_recipients (site_id, state)`);
    await q.query(
      `CREATE INDEX directive_recipients_due_idx ON directive_recipients (next_escalation_at) WHERE next_escalation_at IS NOT NULL`,
    );

    // Every recipient transition with its time, actor, channel and note.
    await q.query(`
      CREATE TABLE directive_events (
        id bigserial PRIMARY KEY,
        directive_id uuid NOT NULL REFERENCES directives(id),
        site_id uuid,
        type varchar(40) NOT NULL,
        from_state recipient_state,
        to_state recipient_state,
        via varchar(20),
        actor_id uuid,
        device_id varchar(64),
        note text,
        data jsonb,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX directive_events_directive_idx ON directive_events (directive_id, id)`);

    // Transactional outbox: jobs written with the change, moved to the queue by the relay.
    await q.query(`
      CREATE TABLE directive_outbox (
        id bigserial PRIMARY KEY,
        job_name varchar(100) NOT NULL,
        data jsonb NOT NULL,
        job_key text,
        run_at timestamptz NOT NULL DEFAULT now(),
        claimed_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE site_groups (
        id uuid PRIMARY KEY,
        name varchar(100) NOT NULL,
        owner_site_id uuid NOT NULL REFERENCES sites(id),
        owner_site_path text NOT NULL,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX site_groups_owner_path_idx ON site_groups (owner_site_path text_pattern_ops)`,
    );
    await q.query(`
      CREATE TABLE site_group_members (
        group_id uuid NOT NULL REFERENCES site_groups(id) ON DELETE CASCADE,
        site_id uuid NOT NULL REFERENCES sites(id),
        PRIMARY KEY (group_id, site_id)
      )`);

    await q.query(`
      CREATE TABLE directive_templates (
        id uuid PRIMARY KEY,
        name varchar(100) NOT NULL,
        title text NOT NULL,
        body text NOT NULL,
        level directive_level NOT NULL,
        ack_within_seconds int CHECK (ack_within_seconds > 0),
        targets jsonb,
        owner_site_id uuid NOT NULL REFERENCES sites(id),
        owner_site_path text NOT NULL,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    // 领导带班: the leader on duty at a site, notified when the site misses a deadline.
    await q.query(`
      CREATE TABLE duty_leaders (
        site_id uuid PRIMARY KEY REFERENCES sites(id),
        user_id uuid NOT NULL REFERENCES users(id),
        set_by uuid,
        since timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'duty_leaders',
      'directive_templates',
      'site_group_members',
      'site_groups',
      'directive_outbox',
      'directive_events',
      'directive_recipients',
      'directive_messages',
      'directives',
      'directive_serials',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`DROP TYPE recipient_state`);
    await q.query(`DROP TYPE directive_status`);
    await q.query(`DROP TYPE directive_level`);
  }
}
