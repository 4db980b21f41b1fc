import type { OnBehalfMethod, RecipientState, TransitionVia } from '#contracts';
import { pressTime, type PressTime } from './device-clock.js';
import { ACKABLE_STATES } from './directives.js';

/**
 * The recipient state machine (one recipient = one site of one directive):
 *
 *   pending ─delivered→ delivered ─acknowledged→ acknowledged ─feedback→ completed
 *   pending ─failed→ failed ─delivered→ delivered     (failed: only from pending, only while issued;
 *                                                     applied in one conditional UPDATE, RecipientsRepository.markFailed)
 *   pending | delivered | failed ─(validity passes)→ expired
 *   expired ─acknowledged→ acknowledged              (only a device's 签收 pressed in time: lateDeviceAck)
 *
 * A channel's receipts arrive late, twice and out of order; the rules below say what each
 * one does given the state left by the receipts before it in the same batch.
 */

/** A recipient as the batch found it (locked). */
export interface RecipientSnapshot {
  state: RecipientState;
  directiveStatus: 'issued' | 'cancelled' | 'closed';
  /** the directive's validity has passed */
  expired: boolean;
  issuedAt: Date;
  /** the directive's validity (null: none) */
  expiresAt?: Date | null;
  acknowledgedAt: Date | null;
}

export interface DeliveredReceipt {
  kind: 'delivered';
  directiveId: string;
  siteId: string;
  via: TransitionVia;
  deviceId?: string | null;
}

export interface AckReceipt {
  kind: 'ack';
  directiveId: string;
  siteId: string;
  /** the person who acknowledged; null when a device reports a key press by someone unknown */
  actorId: string | null;
  via: TransitionVia;
  note?: string | null;
  deviceId?: string | null;
  /** a device's 签收: when it was pressed by the device's clock, and when the hub received it */
  device?: { pressedAt: Date | null; receivedAt: Date };
  /** 代签收: what the dispatcher recorded about the site's answer (kept with history and audit) */
  onBehalf?: OnBehalfDetails;
}

/** The record of a 代签收 beyond its note: how the site answered, who, their phone, when. */
export interface OnBehalfDetails {
  method: OnBehalfMethod | null;
  person: string | null;
  phone: string | null;
  at: string | null;
}

export type Receipt = DeliveredReceipt | AckReceipt;

/** What one receipt came to. */
export type ReceiptVerdict =
  | { kind: 'delivered'; changed: boolean }
  | {
      kind: 'acknowledged';
      /** a repeat (double click, two officers, a duplicated MQTT message): answered ok, recorded once */
      duplicate: boolean;
      state: RecipientState;
      /** the recorded 签收 time; when `inBatch`, the batch's commit time (not known yet) */
      acknowledgedAt: Date | null;
      inBatch: boolean;
    }
  | { kind: 'refused'; code: 'forbidden' | 'conflict'; message: string };

/** What a batch writes to one recipient row (several receipts may fold into it). */
export interface RowChange {
  directiveId: string;
  siteId: string;
  state: RecipientState;
  deliveredVia: TransitionVia | null;
  ack: AckReceipt | null;
  /** a device's 签收: its press time, bounded by the directive's issue and the hub's receipt */
  press: PressTime | null;
}

/** One transition taken, in order: each becomes a history row and an audit entry. */
export interface TakenTransition {
  receipt: Receipt;
  from: RecipientState;
  to: RecipientState;
  press: PressTime | null;
}

export interface ReceiptPlan {
  verdicts: ReceiptVerdict[];
  rows: RowChange[];
  transitions: TakenTransition[];
}

export const recipientKey = (directiveId: string, siteId: string): string => `${directiveId}/${siteId}`;

/**
 * Whether a 签收 is taken, is a repeat, or is refused with a reason. `pressedInTime`: a
 * device's 签收 that was pressed before the expiry and reached the hub late (lateDeviceAck)
 * is taken although the validity has passed.
 */
export function ackVerdict(
  directiveId: string,
  siteId: string,
  found: RecipientSnapshot | undefined,
  current: RecipientState | undefined,
  pressedInTime = false,
): 'accept' | 'duplicate' | { code: 'forbidden' | 'conflict'; message: string } {
  if (!found || !current)
    return { code: 'forbidden', message: `directive ${directiveId} is not addressed to site ${siteId}` };
  if (found.directiveStatus === 'cancelled')
    return { code: 'conflict', message: `directive ${directiveId} was cancelled` };
  const expiredNow = current === 'expired' || (found.expired && ACKABLE_STATES.includes(current));
  if (expiredNow && pressedInTime) return 'accept';
  if (expiredNow) return { code: 'conflict', message: `directive ${directiveId} has expired` };
  if (!ACKABLE_STATES.includes(current) || found.directiveStatus === 'closed') return 'duplicate';
  return 'accept';
}

/**
 * A delivery receipt counts once (the first channel wins), only while the directive is
 * issued and valid, and only before 签收: a late receipt after the ack changes nothing.
 */
export function deliveryApplies(
  found: RecipientSnapshot | undefined,
  current: RecipientState | undefined,
): boolean {
  return (
    !!found &&
    found.directiveStatus === 'issued' &&
    !found.expired &&
    (current === 'pending' || current === 'failed')
  );
}

/**
 * A device's 签收 that reaches the hub after the directive's expiry still counts when the
 * person pressed it in time: its press time (the device's clock, bounded and not flagged as
 * skewed) is before the expiry, and the hub's receipt (the bridge's reading time; a frozen
 * or restarted bridge, a broker that held it, a job queue that waited) is at most `graceMs`
 * after the expiry. Judging by arrival alone told the county a township never answered when
 * its duty officer had; the grace bounds what a device with a lying clock could back-date.
 */
export function lateDeviceAck(
  press: PressTime | null,
  receivedAt: Date | null,
  expiresAt: Date | null | undefined,
  graceMs: number,
): boolean {
  if (!press || !receivedAt || !expiresAt || press.skew !== null || graceMs <= 0) return false;
  return press.at.getTime() < expiresAt.getTime() && receivedAt.getTime() - expiresAt.getTime() <= graceMs;
}

/**
 * Plans a batch of receipts against the locked rows, in arrival order: each receipt is
 * checked against the state the ones before it left (a receipt and the 签收 right after it
 * fold into one row change).
 */
export function planReceipts(
  receipts: readonly Receipt[],
  found: ReadonlyMap<string, RecipientSnapshot>,
  clockToleranceMs: number,
  lateAckGraceMs = 0,
): ReceiptPlan {
  const changes = new Map<string, RowChange>();
  const transitions: TakenTransition[] = [];
  const verdicts = receipts.map((receipt): ReceiptVerdict => {
    const k = recipientKey(receipt.directiveId, receipt.siteId);
    const row = found.get(k);
    const change = changes.get(k);
    const current = change?.state ?? row?.state;
    const open = (from: RecipientState): RowChange =>
      change ?? {
        directiveId: receipt.directiveId,
        siteId: receipt.siteId,
        state: from,
        deliveredVia: null,
        ack: null,
        press: null,
      };
    if (receipt.kind === 'delivered') {
      if (!deliveryApplies(row, current)) return { kind: 'delivered', changed: false };
      const c = open(current!);
      c.state = 'delivered';
      c.deliveredVia = receipt.via;
      changes.set(k, c);
      transitions.push({ receipt, from: current!, to: 'delivered', press: null });
      return { kind: 'delivered', changed: true };
    }
    // the device's time, never before the directive was issued nor after the hub had it
    const press =
      receipt.device && row
        ? pressTime(
            receipt.device.pressedAt,
            { issuedAt: row.issuedAt, receivedAt: receipt.device.receivedAt },
            clockToleranceMs,
          )
        : null;
    const inTime = lateDeviceAck(press, receipt.device?.receivedAt ?? null, row?.expiresAt, lateAckGraceMs);
    const verdict = ackVerdict(receipt.directiveId, receipt.siteId, row, current, inTime);
    if (verdict === 'duplicate') {
      const inBatch = change?.ack != null;
      return {
        kind: 'acknowledged',
        duplicate: true,
        state: current!,
        acknowledgedAt: inBatch ? null : (row?.acknowledgedAt ?? null),
        inBatch,
      };
    }
    if (verdict !== 'accept') return { kind: 'refused', ...verdict };
    const c = open(current!);
    c.state = 'acknowledged';
    c.ack = receipt;
    c.press = press;
    changes.set(k, c);
    transitions.push({ receipt, from: current!, to: 'acknowledged', press: c.press });
    return {
      kind: 'acknowledged',
      duplicate: false,
      state: 'acknowledged',
      acknowledgedAt: null,
      inBatch: true,
    };
  });
  return { verdicts, rows: [...changes.values()], transitions };
}
