import type * as mediasoup from 'mediasoup';
import { MEDIA_CODECS } from './media-options.js';

type Router = mediasoup.types.Router;
type Worker = mediasoup.types.Worker;

/**
 * The routers one room spans: one per worker it has spilled onto, each holding up to
 * peersPerRouter participants. A producer is piped to every router of the span once, so a
 * participant on any core receives everyone. The first router is the primary: it hosts the
 * audio level observer and the recorder.
 */
export class RouterSpan {
  private readonly routers: { router: Router; peers: number }[] = [];
  private readonly piped = new Set<string>();

  constructor(
    private readonly peersPerRouter: number,
    /** next worker to open a router on; avoids the ones given when it can */
    private readonly pickWorker: (avoid: Set<number>) => Worker,
    /** the worker under a router died */
    private readonly onWorkerClosed: () => void,
  ) {}

  get primary(): Router {
    return this.routers[0]!.router;
  }

  workerPids(): number[] {
    return this.routers.map(
      (r) => (r.router as unknown as { appData: { workerPid: number } }).appData.workerPid,
    );
  }

  async add(): Promise<Router> {
    const worker = this.pickWorker(new Set(this.workerPids()));
    const router = await worker.createRouter({
      mediaCodecs: MEDIA_CODECS,
      appData: { workerPid: worker.pid },
    });
    router.on('workerclose', () => this.onWorkerClosed());
    this.routers.push({ router, peers: 0 });
    return router;
  }

  /**
   * Takes a seat for one participant on the first router with room; when all are full, opens
   * a router on another worker and lets `fill` pipe the existing producers to it first.
   */
  async seat(fill: (router: Router) => Promise<void>): Promise<Router> {
    let slot = this.routers.find((r) => r.peers < this.peersPerRouter);
    if (!slot) {
      const router = await this.add();
      await fill(router);
      slot = this.routers.at(-1)!;
    }
    slot.peers += 1;
    return slot.router;
  }

  /** Frees the seat a participant held on `router`. */
  release(router: Router): void {
    const slot = this.routers.find((r) => r.router === router);
    if (slot) slot.peers -= 1;
  }

  async pipe(producerId: string, from: Router, to: Router): Promise<void> {
    const key = `${producerId}:${to.id}`;
    if (from === to || this.piped.has(key)) return;
    this.piped.add(key);
    await from.pipeToRouter({ producerId, router: to });
  }

  /** Pipes a new producer to every router of the span. */
  async pipeEverywhere(producerId: string, from: Router): Promise<void> {
    for (const r of this.routers) await this.pipe(producerId, from, r.router);
  }

  close(): void {
    for (const r of this.routers) r.router.close();
  }
}
