import { describe, expect, it } from '@jest/globals';
import { planReceipts, recipientKey, type Receipt, type RecipientSnapshot } from './recipient-transitions.js';

const D = 'd1';
const S = 's1';
const issuedAt = new Date('2026-07-01T00:00:00Z');
const snap = (over: Partial<RecipientSnapshot> = {}): RecipientSnapshot => ({
  state: 'pending',
  directiveStatus: 'issued',
  expired: false,
  issuedAt,
  acknowledgedAt: null,
  ...over,
});
const found = (s: RecipientSnapshot) => new Map([[recipientKey(D, S), s]]);
const delivered = (via: Receipt['via'] = 'console'): Receipt => ({
  kind: 'delivered',
  directiveId: D,
  siteId: S,
  via,
});
const ack = (over: Partial<Extract<Receipt, { kind: 'ack' }>> = {}): Receipt => ({
  kind: 'ack',
  directiveId: D,
  siteId: S,
  actorId: 'u1',
  via: 'console',
  ...over,
});

describe('recipient transitions', () => {
  it('folds a receipt and the 签收 right after it into one row change, with both steps taken', () => {
    const plan = planReceipts([delivered('terminal'), ack()], found(snap()), 0);
    expect(plan.verdicts).toEqual([
      { kind: 'delivered', changed: true },
      { kind: 'acknowledged', duplicate: false, state: 'acknowledged', acknowledgedAt: null, inBatch: true },
    ]);
    expect(plan.rows).toHaveLength(1);
    expect(plan.rows[0]).toMatchObject({ state: 'acknowledged', deliveredVia: 'terminal' });
    expect(plan.transitions.map((t) => [t.from, t.to])).toEqual([
      ['pending', 'delivered'],
      ['delivered', 'acknowledged'],
    ]);
  });

  it('records a repeated 签收 in the same batch once, answering it with the batch commit time', () => {
    const plan = planReceipts([ack(), ack({ actorId: 'u2' })], found(snap()), 0);
    expect(plan.transitions).toHaveLength(1);
    expect(plan.verdicts[1]).toMatchObject({ kind: 'acknowledged', duplicate: true, inBatch: true });
  });

  it('answers a 签收 of an already acknowledged recipient as a duplicate with the recorded time', () => {
    const at = new Date('2026-07-01T00:01:00Z');
    const plan = planReceipts([ack()], found(snap({ state: 'acknowledged', acknowledgedAt: at })), 0);
    expect(plan.verdicts[0]).toEqual({
      kind: 'acknowledged',
      duplicate: true,
      state: 'acknowledged',
      acknowledgedAt: at,
      inBatch: false,
    });
    expect(plan.rows).toEqual([]);
  });

  it('ignores a late delivery receipt that arrives after the 签收 (out of order)', () => {
    const plan = planReceipts([ack(), delivered()], found(snap()), 0);
    expect(plan.verdicts[1]).toEqual({ kind: 'delivered', changed: false });
    expect(plan.rows[0]?.deliveredVia).toBeNull();
    expect(plan.transitions).toHaveLength(1);
  });

  it('counts only the first channel that delivers', () => {
    const plan = planReceipts([delivered('terminal'), delivered('console')], found(snap()), 0);
    expect(plan.verdicts.map((v) => v.kind === 'delivered' && v.changed)).toEqual([true, false]);
    expect(plan.rows[0]?.deliveredVia).toBe('terminal');
  });

  it('lets a delivery lift a failed recipient, but not one of a cancelled or expired directive', () => {
    expect(planReceipts([delivered()], found(snap({ state: 'failed' })), 0).verdicts[0]).toEqual({
      kind: 'delivered',
      changed: true,
    });
    for (const s of [snap({ directiveStatus: 'cancelled' }), snap({ expired: true })])
      expect(planReceipts([delivered()], found(s), 0).rows).toEqual([]);
  });

  it('refuses 签收 for a site that is not a recipient, a cancelled or an expired directive', () => {
    expect(planReceipts([ack()], new Map(), 0).verdicts[0]).toMatchObject({
      kind: 'refused',
      code: 'forbidden',
    });
    expect(planReceipts([ack()], found(snap({ directiveStatus: 'cancelled' })), 0).verdicts[0]).toMatchObject(
      {
        kind: 'refused',
        code: 'conflict',
      },
    );
    expect(planReceipts([ack()], found(snap({ expired: true })), 0).verdicts[0]).toMatchObject({
      kind: 'refused',
      code: 'conflict',
    });
    expect(planReceipts([ack()], found(snap({ state: 'expired' })), 0).verdicts[0]).toMatchObject({
      kind: 'refused',
    });
  });

  it('treats a 签收 of a closed directive or a completed recipient as a duplicate', () => {
    expect(planReceipts([ack()], found(snap({ directiveStatus: 'closed' })), 0).verdicts[0]).toMatchObject({
      duplicate: true,
    });
    expect(planReceipts([ack()], found(snap({ state: 'completed' })), 0).verdicts[0]).toMatchObject({
      duplicate: true,
      state: 'completed',
    });
  });

  it("bounds a device's press time by the directive's issue and flags a clock far behind", () => {
    const receivedAt = new Date('2026-07-01T00:05:00Z');
    const plan = planReceipts(
      [ack({ via: 'terminal', device: { pressedAt: new Date('2026-06-30T00:00:00Z'), receivedAt } })],
      found(snap()),
      120_000,
    );
    expect(plan.rows[0]?.press).toEqual({ at: issuedAt, skew: 'behind' });
    expect(plan.transitions[0]?.press).toEqual({ at: issuedAt, skew: 'behind' });
  });

  describe('a device 签收 pressed before the expiry that reaches the hub after it', () => {
    const expiresAt = new Date('2026-07-01T00:10:00Z');
    const pressedAt = new Date('2026-07-01T00:09:40Z');
    const at = (iso: string) => new Date(iso);
    const deviceAck = (pressed: Date | null, receivedAt: Date) =>
      ack({ via: 'terminal', actorId: null, device: { pressedAt: pressed, receivedAt } });
    const late = (over: Partial<RecipientSnapshot> = {}) =>
      found(snap({ state: 'expired', expired: true, expiresAt, ...over }));
    const GRACE = 300_000;

    it('counts within the grace, recorded at its press time, even once the recipient was marked expired', () => {
      const plan = planReceipts([deviceAck(pressedAt, at('2026-07-01T00:10:18Z'))], late(), 120_000, GRACE);
      expect(plan.verdicts[0]).toMatchObject({ kind: 'acknowledged', duplicate: false });
      expect(plan.transitions.map((t) => [t.from, t.to])).toEqual([['expired', 'acknowledged']]);
      expect(plan.rows[0]?.press).toEqual({ at: pressedAt, skew: null });
      // not yet swept: still delivered, the validity passed
      const swept = planReceipts(
        [deviceAck(pressedAt, at('2026-07-01T00:10:18Z'))],
        late({ state: 'delivered' }),
        120_000,
        GRACE,
      );
      expect(swept.transitions.map((t) => [t.from, t.to])).toEqual([['delivered', 'acknowledged']]);
      // a closed directive (every site had expired) takes it too: the record tells the truth
      expect(
        planReceipts(
          [deviceAck(pressedAt, at('2026-07-01T00:11:00Z'))],
          late({ directiveStatus: 'closed' }),
          120_000,
          GRACE,
        ).verdicts[0],
      ).toMatchObject({ kind: 'acknowledged', duplicate: false });
    });

    it('is refused past the grace, pressed after the expiry, with a skewed or missing clock, or by a console', () => {
      const refused = (receipt: Receipt, over: Partial<RecipientSnapshot> = {}, grace = GRACE) =>
        planReceipts([receipt], late(over), 120_000, grace).verdicts[0];
      // arrived 5 min 1 s after the expiry
      expect(refused(deviceAck(pressedAt, at('2026-07-01T00:15:01Z')))).toMatchObject({ kind: 'refused' });
      // pressed after the expiry
      expect(refused(deviceAck(at('2026-07-01T00:10:01Z'), at('2026-07-01T00:10:05Z')))).toMatchObject({
        kind: 'refused',
        code: 'conflict',
      });
      // a clock far ahead of the hub's receipt is clamped to the receipt (after the expiry) and flagged
      expect(refused(deviceAck(at('2026-07-01T03:00:00Z'), at('2026-07-01T00:10:05Z')))).toMatchObject({
        kind: 'refused',
      });
      // a clock far behind (before the issue) cannot vouch for anything
      expect(refused(deviceAck(at('2026-06-30T00:00:00Z'), at('2026-07-01T00:10:05Z')))).toMatchObject({
        kind: 'refused',
      });
      // no press time at all: judged by arrival
      expect(refused(deviceAck(null, at('2026-07-01T00:10:05Z')))).toMatchObject({ kind: 'refused' });
      // a console's 签收 has no device time: judged by arrival
      expect(refused(ack())).toMatchObject({ kind: 'refused', code: 'conflict' });
      // grace 0 turns it off
      expect(refused(deviceAck(pressedAt, at('2026-07-01T00:10:01Z')), {}, 0)).toMatchObject({
        kind: 'refused',
      });
      // a withdrawn directive is never 签收'd
      expect(
        refused(deviceAck(pressedAt, at('2026-07-01T00:10:01Z')), { directiveStatus: 'cancelled' }),
      ).toMatchObject({ kind: 'refused', message: expect.stringContaining('cancelled') });
    });
  });
});
