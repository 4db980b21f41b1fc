/**
 * Group commit: requests that arrive while a flush is running wait and go together in the
 * next flush. One idle request is flushed at once (no added latency); under load, 2,000
 * acks become a handful of transactions instead of 2,000 (each audited transaction takes
 * the audit chain's global lock).
 *
 * `maxInFlight` > 1 lets the next batch start while the previous one is still committing
 * (a pool of connections: the round trips of two batches overlap); with one connection
 * (embedded PGlite) keep it at 1, as a second transaction would only wait for the pool.
 *
 * `gatherTurn`: a request that finds the committer idle waits for the end of the event
 * loop's turn (setImmediate) instead of being flushed alone. A burst (2,000 consoles
 * answering one spot check) is read from many sockets in one turn: without this the first
 * answer went alone, and its round trips waited behind the whole burst while the rest
 * queued. A lone request pays one turn, well under a millisecond on an idle hub.
 */
export class GroupCommit<Req, Res> {
  private queue: { req: Req; resolve: (r: Res) => void; reject: (e: unknown) => void }[] = [];
  private inFlight = 0;

  constructor(
    private readonly flush: (reqs: Req[]) => Promise<Res[]>,
    private readonly maxBatch = 1000,
    private readonly maxInFlight = 1,
    private readonly gatherTurn = false,
  ) {}

  private gathering = false;

  submit(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      if (!this.gatherTurn) this.pump();
      else if (!this.gathering) {
        this.gathering = true;
        setImmediate(() => {
          this.gathering = false;
          this.pump();
        });
      }
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight += 1;
      this.flush(batch.map((b) => b.req))
        .then(
          (results) => batch.forEach((b, i) => b.resolve(results[i]!)),
          (err: unknown) => batch.forEach((b) => b.reject(err)),
        )
        .finally(() => {
          this.inFlight -= 1;
          this.pump();
        });
    }
  }
}
