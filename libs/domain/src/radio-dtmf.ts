import type { DirectiveStatus, RecipientState } from '#contracts';
import { isExpired } from './directives.js';

/**
 * 签收 by DTMF over the radio (docs/radio-voice.md): a gateway of a site reports the keys
 * a radio user pressed; the code names a directive by its serial's number group. The code
 * says nothing about the site, so the site is the gateway's own, and only a directive still
 * waiting for that site's 签收 may take it.
 */

/** outcomes counted in `yihu_radio_dtmf_total{outcome}` */
export const DTMF_OUTCOMES = [
  'accepted',
  'malformed',
  'unknown_code',
  'other_site',
  'expired',
  'already_acknowledged',
  'closed',
] as const;
export type DtmfOutcome = (typeof DTMF_OUTCOMES)[number];

/** a directive whose serial ends in the code's number, with the gateway site's recipient (if any) */
export interface DtmfCandidate {
  directiveId: string;
  serial: string;
  status: DirectiveStatus;
  issuedAt: Date;
  expiresAt: Date | null;
  /** the gateway's site as a recipient of it; null when that site is not one */
  recipientState: RecipientState | null;
}

export type DtmfMatch =
  | { outcome: 'accepted'; directiveId: string; serial: string }
  | { outcome: Exclude<DtmfOutcome, 'accepted'>; reason: string; directiveId: string | null };

const WAITING: readonly RecipientState[] = ['pending', 'delivered', 'failed'];

/** '0042#' → '0042': the number group a normalized code names, or null */
export function dtmfSerialNumber(code: string | null): string | null {
  const m = code ? /^([0-9]{1,8})#$/.exec(code) : null;
  return m ? m[1] : null;
}

/** true when `serial` ('2026-0042') is named by the number group ('0042') */
export function serialMatchesNumber(serial: string, number: string): boolean {
  return serial.endsWith(`-${number}`);
}

/**
 * Which directive a code from a gateway of a site acknowledges. The newest directive still
 * waiting for this site wins (two years' 0042 both open: the newer one). Otherwise the
 * refusal names the most telling reason: acknowledged before, expired, closed, a code for
 * another site's directive, or no such code at all.
 */
export function matchDtmfCode(code: string | null, candidates: DtmfCandidate[], now: Date): DtmfMatch {
  const number = dtmfSerialNumber(code);
  if (number === null)
    return { outcome: 'malformed', reason: 'not a 签收 code (digits then #)', directiveId: null };
  const named = candidates
    .filter((c) => serialMatchesNumber(c.serial, number))
    .sort((a, b) => b.issuedAt.getTime() - a.issuedAt.getTime());
  const mine = named.filter((c) => c.recipientState !== null);
  const open = mine.find(
    (c) => c.status === 'issued' && WAITING.includes(c.recipientState!) && !isExpired(c.expiresAt, now),
  );
  if (open) return { outcome: 'accepted', directiveId: open.directiveId, serial: open.serial };
  const acked = mine.find((c) => c.recipientState === 'acknowledged' || c.recipientState === 'completed');
  if (acked)
    return {
      outcome: 'already_acknowledged',
      reason: `directive ${acked.serial} was already acknowledged by this site`,
      directiveId: acked.directiveId,
    };
  const expired = mine.find((c) => c.recipientState === 'expired' || isExpired(c.expiresAt, now));
  if (expired)
    return {
      outcome: 'expired',
      reason: `directive ${expired.serial} has expired`,
      directiveId: expired.directiveId,
    };
  const closed = mine.find((c) => c.status !== 'issued');
  if (closed)
    return {
      outcome: 'closed',
      reason: `directive ${closed.serial} is ${closed.status}`,
      directiveId: closed.directiveId,
    };
  if (named.length)
    return {
      outcome: 'other_site',
      reason: `directive ${named[0].serial} was not sent to this site`,
      directiveId: named[0].directiveId,
    };
  return { outcome: 'unknown_code', reason: `no directive numbered ${number}`, directiveId: null };
}
