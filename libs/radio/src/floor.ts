import { FLOOR_RANKS, type FloorRank, type RadioTalker } from '#contracts';

/**
 * Floor control of one talkgroup: who may talk. Pure: no timers; the caller passes `now`
 * (ms) and keeps the state.
 *
 * Ranks (FLOOR_RANKS, lowest first): a higher rank pre-empts the holder; an equal or lower
 * one is refused "busy" — so an emergency call is never cut by another emergency call.
 * The same talker asking again (a repeated PTT press, a retried request) keeps its
 * transmission; asking at a higher rank raises the rank it holds with.
 *
 * Hang time: after a release the floor stays reserved for replies until `hang.until`.
 * During it the last talker, and anyone ranked above `radio`, may take the floor. When the
 * last talker was a gateway, a `radio`-rank request from another gateway is busy, so two
 * radio sites don't collide right after an exchange. When the last talker was a dispatcher
 * or the system, radio requests are the replies the hang keeps room for: they are granted.
 *
 * Talkers are told apart by id (gateway terminal ids and user ids do not overlap).
 */
export interface FloorHolder {
  talker: RadioTalker;
  rank: FloorRank;
  since: number;
  transmissionId: string;
}

export interface FloorState {
  holder: FloorHolder | null;
  /** after a release: the floor stays reserved for replies until then; `last` is who released */
  hang: { until: number; lastTalker: RadioTalker; last?: FloorHolder } | null;
}

export const EMPTY_FLOOR: FloorState = Object.freeze({ holder: null, hang: null });

export type FloorDecision =
  | { verdict: 'granted'; state: FloorState; holder: FloorHolder }
  | { verdict: 'preempted'; state: FloorState; holder: FloorHolder; preempted: FloorHolder }
  | { verdict: 'busy'; state: FloorState; heldBy: FloorHolder };

export function rankValue(r: FloorRank): number {
  const v = FLOOR_RANKS.indexOf(r);
  if (v < 0) throw new RangeError(`unknown floor rank: ${String(r)}`);
  return v;
}

/** the same talker asking again keeps its transmission (idempotent); higher rank pre-empts; equal/lower is busy */
export function requestFloor(
  s: FloorState,
  req: { talker: RadioTalker; rank: FloorRank; transmissionId: string; now: number },
): FloorDecision {
  const rank = rankValue(req.rank);
  const fresh: FloorHolder = {
    talker: req.talker,
    rank: req.rank,
    since: req.now,
    transmissionId: req.transmissionId,
  };
  const held = s.holder;
  if (held) {
    if (held.talker.id === req.talker.id) {
      if (rank <= rankValue(held.rank)) return { verdict: 'granted', state: s, holder: held };
      const raised = { ...held, rank: req.rank };
      return { verdict: 'granted', state: { holder: raised, hang: null }, holder: raised };
    }
    if (rank > rankValue(held.rank)) {
      return { verdict: 'preempted', state: { holder: fresh, hang: null }, holder: fresh, preempted: held };
    }
    return { verdict: 'busy', state: s, heldBy: held };
  }
  const hang = s.hang && req.now < s.hang.until ? s.hang : null;
  if (
    hang &&
    req.rank === 'radio' &&
    hang.lastTalker.kind === 'gateway' &&
    req.talker.kind === 'gateway' &&
    req.talker.id !== hang.lastTalker.id
  ) {
    const heldBy = hang.last ?? {
      talker: hang.lastTalker,
      rank: 'radio',
      since: req.now,
      transmissionId: '',
    };
    return { verdict: 'busy', state: s, heldBy };
  }
  return { verdict: 'granted', state: { holder: fresh, hang: null }, holder: fresh };
}

/** release by the holder (others: unchanged state, released=false); starts hang time */
export function releaseFloor(
  s: FloorState,
  talkerId: string,
  now: number,
  hangMs: number,
): { state: FloorState; released: FloorHolder | null } {
  const held = s.holder;
  if (!held || held.talker.id !== talkerId) return { state: s, released: null };
  const hang = hangMs > 0 ? { until: now + hangMs, lastTalker: held.talker, last: held } : null;
  return { state: { holder: null, hang }, released: held };
}

/**
 * The holder past the transmit timeout, if any: at exactly `totMs` it has had its full
 * time and is out. A `totMs` of 0 or less (or Infinity) means no timeout.
 */
export function timedOut(s: FloorState, now: number, totMs: number): FloorHolder | null {
  if (!s.holder || !(totMs > 0)) return null;
  return now - s.holder.since >= totMs ? s.holder : null;
}

/** hang time over: the reservation cleared (the same state object when nothing changed) */
export function expireHang(s: FloorState, now: number): FloorState {
  return s.hang && now >= s.hang.until ? { ...s, hang: null } : s;
}
