import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 应急物资 and 专家库 (issue 23, docs/stock-and-experts.md). An item's code is unique in its
 * depot (a second POST is 409; the CSV import updates it), and its quantity can never go
 * below zero even if a dispatch's row lock were bypassed. stock_dispatches.response_id is a
 * plain uuid: the responses table of the plans work arrives later and may add the key then.
 */
export class StockExperts1795004100000 implements MigrationInterface {
  name = 'StockExperts1795004100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE depots (
        id uuid PRIMARY KEY,
        site_id uuid NOT NULL REFERENCES sites(id),
        name varchar(200) NOT NULL,
        place varchar(200) NOT NULL,
        keeper varchar(100) NOT NULL,
        phone varchar(32) NOT NULL,
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX depots_site_idx ON depots (site_id)`);
    await q.query(`
      CREATE TABLE stock_items (
        id uuid PRIMARY KEY,
        depot_id uuid NOT NULL REFERENCES depots(id),
        code char(7) NOT NULL CHECK (code ~ '^[1-3][0-9]{6}$'),
        name varchar(200) NOT NULL,
        quantity integer NOT NULL CHECK (quantity >= 0),
        unit varchar(20) NOT NULL,
        expires_at timestamptz,
        minimum integer CHECK (minimum >= 0),
        last_inspected_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (depot_id, code)
      )`);
    await q.query(
      `CREATE INDEX stock_items_expiry_idx ON stock_items (expires_at) WHERE expires_at IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE stock_dispatches (
        id uuid PRIMARY KEY,
        item_id uuid NOT NULL REFERENCES stock_items(id),
        quantity integer NOT NULL CHECK (quantity > 0),
        remaining integer NOT NULL,
        from_depot_id uuid NOT NULL REFERENCES depots(id),
        to_site_id uuid NOT NULL REFERENCES sites(id),
        response_id uuid,
        dispatched_by uuid NOT NULL REFERENCES users(id),
        dispatched_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX stock_dispatches_response_idx ON stock_dispatches (response_id) WHERE response_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX stock_dispatches_item_idx ON stock_dispatches (item_id, dispatched_at DESC)`);
    await q.query(`
      CREATE TABLE experts (
        id uuid PRIMARY KEY,
        site_id uuid NOT NULL REFERENCES sites(id),
        name varchar(100) NOT NULL,
        category varchar(10) NOT NULL CHECK (category IN ('natural', 'accident', 'health', 'social')),
        specialty varchar(200) NOT NULL,
        organisation varchar(200) NOT NULL,
        phones text[] NOT NULL,
        available boolean NOT NULL DEFAULT true,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX experts_site_idx ON experts (site_id, category)`);
    await q.query(`
      CREATE TABLE expert_invitations (
        id uuid PRIMARY KEY,
        consultation_id uuid NOT NULL REFERENCES consultations(id),
        expert_id uuid NOT NULL REFERENCES experts(id),
        invited_by uuid NOT NULL REFERENCES users(id),
        invited_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX expert_invitations_consultation_idx ON expert_invitations (consultation_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['expert_invitations', 'experts', 'stock_dispatches', 'stock_items', 'depots'])
      await q.query(`DROP TABLE ${t}`);
  }
}
