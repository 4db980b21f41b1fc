import type { RuleDenial } from './rule-denial.js';

/**
 * 交接班: the outgoing officer hands over with the open items listed; the incoming officer
 * confirms within the window (practice: 15 minutes), else the leader on duty is alerted.
 */
export interface OpenItem {
  /** "directive", "spot_check", "report", ... : what the source of the item is */
  kind: string;
  id: string;
  title: string;
  /** where the item stands, in its source's words (a directive: its recipient state) */
  state?: string;
}

export interface HandoverState {
  toUserId: string;
  confirmedAt: Date | null;
}

/** Why `userId` may not confirm the handover, or null. */
export function handoverConfirmDenial(handover: HandoverState, userId: string): RuleDenial | null {
  if (handover.toUserId !== userId)
    return { code: 'forbidden', message: 'only the incoming officer named in the handover may confirm it' };
  if (handover.confirmedAt)
    return {
      code: 'conflict',
      message: `the handover was already confirmed at ${handover.confirmedAt.toISOString()}`,
    };
  return null;
}

/** Why `fromUserId` may not hand over to `toUserId`, or null. */
export function handoverDenial(fromUserId: string, toUserId: string): RuleDenial | null {
  if (fromUserId === toUserId)
    return {
      code: 'invalid',
      message: 'toUserId: you cannot hand over to yourself',
      fields: [{ path: 'toUserId', message: 'you cannot hand over to yourself' }],
    };
  return null;
}

/** Items from every source, each once (a source may be asked twice), sources in order. */
export function mergeOpenItems(lists: OpenItem[][], max: number): OpenItem[] {
  const seen = new Set<string>();
  const items: OpenItem[] = [];
  for (const list of lists) {
    for (const item of list) {
      const key = `${item.kind}:${item.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      items.push(item);
      if (items.length >= max) return items;
    }
  }
  return items;
}
