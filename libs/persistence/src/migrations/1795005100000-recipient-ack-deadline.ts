import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A recipient's own 签收 deadline. A site added to an issued directive (a warning's widened
 * area) is given its deadline from the moment it was added, so the directive's single
 * `ack_by` is wrong for it in every view. NULL: the directive's (every site issued with it),
 * so issuing 10,000 recipients writes nothing more. Sites added before this column get the
 * deadline their `extended` history event recorded.
 */
export class RecipientAckDeadline1795005100000 implements MigrationInterface {
  name = 'RecipientAckDeadline1795005100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE directive_recipients ADD COLUMN ack_by timestamptz`);
    await q.query(
      `UPDATE directive_recipients r SET ack_by = (e.data->>'ackBy')::timestamptz
       FROM directive_events e
       WHERE e.type = 'extended' AND e.directive_id = r.directive_id AND e.site_id = r.site_id
         AND e.data ? 'ackBy'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE directive_recipients DROP COLUMN ack_by`);
  }
}
