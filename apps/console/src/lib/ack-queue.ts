/**
 * 签收 pressed while the link is down: kept in sessionStorage so a reload of the tab keeps
 * them, and sent when the link returns. The hub records a site's 签收 once and answers a
 * repeat as a duplicate, so sending one twice is harmless.
 */
const KEY = 'yihu.duty.pendingAcks';

export interface QueuedAck {
  directiveId: string;
  /** when the officer pressed 签收 (shown; the hub records its own receipt time) */
  pressedAt: string;
}

function read(): QueuedAck[] {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return [];
  try {
    const parsed = JSON.parse(raw) as unknown;
    return Array.isArray(parsed)
      ? (parsed as QueuedAck[]).filter((q) => typeof q?.directiveId === 'string')
      : [];
  } catch (err) {
    // a corrupt entry must not block the page: drop it, and say so in the console log
    console.warn('pending 签收 queue unreadable, cleared', err);
    sessionStorage.removeItem(KEY);
    return [];
  }
}

function write(list: QueuedAck[]): void {
  if (list.length) sessionStorage.setItem(KEY, JSON.stringify(list));
  else sessionStorage.removeItem(KEY);
}

export const ackQueue = {
  list: read,
  add(directiveId: string): QueuedAck[] {
    const list = read().filter((q) => q.directiveId !== directiveId);
    list.push({ directiveId, pressedAt: new Date().toISOString() });
    write(list);
    return list;
  },
  remove(directiveId: string): QueuedAck[] {
    const list = read().filter((q) => q.directiveId !== directiveId);
    write(list);
    return list;
  },
};
