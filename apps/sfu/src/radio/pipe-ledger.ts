/**
 * The origin host's side of cross-instance pipes (pipe-relay.ts): each pipe it opened, by
 * the request that asked for it, until the asker says it connected its end (`ready`). An
 * asker that gave up (its 2 s were spent, or the answer came for a source it already had)
 * says `cancel`; one that said neither (killed, or its message lost) is overdue after a
 * bound. A cancel may overtake the pipe it cancels (the asker gave up while the pipe was
 * still being opened): it is remembered, so the pipe is closed as soon as it is registered.
 */
export class PendingPipes<T> {
  private readonly pending = new Map<string, { pipe: T; since: number }>();
  private readonly cancelled = new Map<string, number>();

  constructor(private readonly boundMs: number) {}

  /** a pipe just opened; false when its request was cancelled already (close it) */
  add(requestId: string, pipe: T, now: number): boolean {
    if (this.cancelled.delete(requestId)) return false;
    this.pending.set(requestId, { pipe, since: now });
    return true;
  }

  /** the asker connected: the pipe lives with its source from now on */
  ready(requestId: string): void {
    this.pending.delete(requestId);
  }

  /** the asker does not want it: the pipe to close, or undefined (not opened yet, or gone) */
  cancel(requestId: string, now: number): T | undefined {
    const entry = this.pending.get(requestId);
    if (entry) {
      this.pending.delete(requestId);
      return entry.pipe;
    }
    this.cancelled.set(requestId, now);
    return undefined;
  }

  /** the source closed first: nothing left to track */
  forget(requestId: string): void {
    this.pending.delete(requestId);
  }

  /** pipes nobody connected to within the bound, forgotten as they are returned */
  overdue(now: number): T[] {
    const out: T[] = [];
    for (const [id, e] of this.pending)
      if (now - e.since >= this.boundMs) {
        this.pending.delete(id);
        out.push(e.pipe);
      }
    for (const [id, at] of this.cancelled) if (now - at >= this.boundMs) this.cancelled.delete(id);
    return out;
  }

  get size(): number {
    return this.pending.size;
  }
}

export interface RelayOrigin {
  /** the talkgroup the source is on */
  origin: string;
  /** the instance that hosted it when the pipe was made */
  host: string;
}

/**
 * The patched host's side: each source piped in, with the instance it came from. A host that
 * died says nothing (no `radio.pipe.closed`), but its leases expire: a source whose origin
 * talkgroup is no longer hosted by the instance that fed it is dead, and its relay goes.
 */
export class RelayOrigins<T> {
  private readonly relays = new Map<T, RelayOrigin>();

  add(relay: T, from: RelayOrigin): void {
    this.relays.set(relay, from);
  }

  remove(relay: T): void {
    this.relays.delete(relay);
  }

  /** the origin talkgroups to look up (each once) */
  origins(): string[] {
    return [...new Set([...this.relays.values()].map((r) => r.origin))];
  }

  /**
   * The relays whose feeding host no longer holds its origin's lease (`owners`: the lease
   * holder per origin now, null when none). An origin missing from `owners` (its look-up
   * failed) proves nothing and keeps its relays.
   */
  orphaned(owners: Map<string, string | null>): T[] {
    const out: T[] = [];
    for (const [relay, r] of this.relays)
      if (owners.has(r.origin) && owners.get(r.origin) !== r.host) out.push(relay);
    return out;
  }

  get size(): number {
    return this.relays.size;
  }
}
