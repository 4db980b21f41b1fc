import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When a 签收 was pressed, beside when the hub received it (issue 21, item 8): a terminal
 * that lost its link reports its 签收 when the link returns, and the hub's own receive
 * time alone said the township answered late.
 * - `terminal_messages.acknowledged_device_at`: the device's `at` as it sent it (its clock);
 * - `directive_recipients.acknowledged_pressed_at`: that moment bounded by the directive's
 *   issue and the hub's receipt (see libs/domain/src/device-clock.ts); null where no
 *   device reported one (a console 签收 is pressed when it is received);
 * - `directive_recipients.ack_clock_skew`: `ahead`/`behind` where the device's time was
 *   out of bounds by more than the tolerance and was clamped.
 * Nullable, no default: a catalog change only, no table rewrite.
 */
export class AckPressTime1795001100000 implements MigrationInterface {
  name = 'AckPressTime1795001100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE terminal_messages ADD COLUMN acknowledged_device_at timestamptz`);
    await q.query(`ALTER TABLE directive_recipients ADD COLUMN acknowledged_pressed_at timestamptz`);
    await q.query(`ALTER TABLE directive_recipients ADD COLUMN ack_clock_skew varchar(8)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE directive_recipients DROP COLUMN ack_clock_skew`);
    await q.query(`ALTER TABLE directive_recipients DROP COLUMN acknowledged_pressed_at`);
    await q.query(`ALTER TABLE terminal_messages DROP COLUMN acknowledged_device_at`);
  }
}
