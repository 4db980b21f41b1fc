import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type * as mediasoup from 'mediasoup';
import type { Logger } from 'pino';
import type { RadioTalker } from '#contracts';
import { AppConfig, EventBus, LOGGER } from '#platform';
import type { Hosted } from './hosted-talkgroup.js';
import { PendingPipes, RelayOrigins } from './pipe-ledger.js';
import { RadioStateStore } from './radio-state.store.js';

/** bus channels of a patch between talkgroups hosted on two instances */
export const PIPE_BUS = {
  /** to the origin's host: pipe this talker's source to my address */
  open: 'radio.pipe.open',
  answer: (requestId: string) => `radio.pipe.answer.${requestId}`,
  /** from the origin's host: that source is gone, close its relay */
  closed: 'radio.pipe.closed',
  /** to the origin's host: my end of that request's pipe is connected, keep it */
  ready: 'radio.pipe.ready',
  /** to the origin's host: I gave up on that request (timed out, or had the source already) */
  cancel: 'radio.pipe.cancel',
};

interface PipeRequestRef {
  requestId: string;
  to: string;
}

interface PipeOpen {
  requestId: string;
  to: string;
  talkgroupId: string;
  talker: RadioTalker;
  /** a console's microphone, when the talker is one */
  producerId?: string;
  ip: string;
  port: number;
}

type PipeAnswer =
  | {
      ok: true;
      producerId: string;
      kind: mediasoup.types.MediaKind;
      rtpParameters: mediasoup.types.RtpParameters;
      ip: string;
      port: number;
    }
  | { ok: false; reason: string };

/** how long the instance relaying waits for the origin's host */
const ANSWER_MS = 2000;
/**
 * How long the origin's host keeps a pipe whose asker said neither `ready` nor `cancel`
 * (killed, cut off from Redis). Well past ANSWER_MS plus a connect and a produce.
 */
export const UNCONFIRMED_PIPE_MS = 5000;

/**
 * A patch between talkgroups whose media two instances host. Within one process the patched
 * talkgroup's router gets the talker's source by `pipeToRouter`; across instances it used
 * to get nothing (`relay_unavailable`: keyed, silent). Now the instance hosting the patched
 * talkgroup opens a mediasoup PipeTransport (UDP, on SFU_LISTEN_IP / SFU_ANNOUNCED_IP) and
 * asks the origin's host over the bus to pipe the talker's producer to it; the origin's
 * host opens the other end, consumes the producer into it and answers with the RTP
 * parameters, and the relayed producer (same id) joins the patched router like a local
 * pipe's. One pipe per source, kept while the source lives: the next transmission of the
 * same talker reuses it; when the source closes, its host says so and the relay closes.
 * Neither end outlives its use: the asker says `ready` once its end is connected or `cancel`
 * when it gives up, and the origin's host closes a pipe that got neither within
 * UNCONFIRMED_PIPE_MS; a relay whose feeding host stopped hosting the origin (died: its
 * lease expired) is closed by `sweepOrigins`.
 */
@Injectable()
export class PipeRelay implements OnApplicationShutdown {
  private readonly unsubscribe: (() => void)[] = [];
  /** sources piped out of this instance: closed with the hub */
  private readonly outgoing = new Set<mediasoup.types.PipeTransport>();
  /** pipes out of this instance whose asker has not connected yet */
  private readonly pending = new PendingPipes<mediasoup.types.PipeTransport>(UNCONFIRMED_PIPE_MS);
  /** pipes closed here on purpose: their source lives on, so no `closed` is said for them */
  private readonly dropped = new WeakSet<mediasoup.types.PipeTransport>();
  /** origin talkgroup and talker → the producer id relayed here, so a pipe is asked for once */
  private readonly incoming = new Map<string, string>();
  /** sources piped in, with the instance feeding each (closed when it stops hosting their origin) */
  private readonly origins = new RelayOrigins<mediasoup.types.Producer>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly bus: EventBus,
    private readonly state: RadioStateStore,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  private get listenIp(): { ip: string; announcedIp?: string } {
    const { SFU_LISTEN_IP: ip, SFU_ANNOUNCED_IP: announcedIp } = this.config.raw;
    return announcedIp ? { ip, announcedIp } : { ip };
  }

  /** Answers other instances' pipe requests for talkgroups hosted here (called by the hub). */
  async serve(hosted: Map<string, Hosted>): Promise<void> {
    if (this.bus.driver === 'in-process') return;
    this.unsubscribe.push(
      await this.bus.subscribe<PipeOpen>(PIPE_BUS.open, (m) => {
        if (m.to !== this.config.instanceId) return;
        this.open(hosted, m)
          .then((a) => this.bus.publish<PipeAnswer>(PIPE_BUS.answer(m.requestId), a))
          .catch((err: unknown) =>
            this.logger.warn({ err, talkgroupId: m.talkgroupId }, 'radio pipe not opened'),
          );
      }),
      await this.bus.subscribe<{ producerId: string }>(PIPE_BUS.closed, (m) => {
        for (const h of hosted.values()) h.media.closeRelayed(m.producerId);
      }),
      await this.bus.subscribe<PipeRequestRef>(PIPE_BUS.ready, (m) => {
        if (m.to === this.config.instanceId) this.pending.ready(m.requestId);
      }),
      await this.bus.subscribe<PipeRequestRef>(PIPE_BUS.cancel, (m) => {
        if (m.to !== this.config.instanceId) return;
        const pipe = this.pending.cancel(m.requestId, Date.now());
        if (pipe) this.drop(pipe);
      }),
    );
    this.timer = setInterval(() => {
      for (const pipe of this.pending.overdue(Date.now())) this.drop(pipe);
    }, UNCONFIRMED_PIPE_MS / 5);
    this.timer.unref();
  }

  /** a pipe out of here nobody uses: closed without telling anyone the source is gone */
  private drop(pipe: mediasoup.types.PipeTransport): void {
    this.dropped.add(pipe);
    pipe.close();
  }

  /** On the origin's host: the talker's source into a pipe towards the asking instance. */
  private async open(hosted: Map<string, Hosted>, m: PipeOpen): Promise<PipeAnswer> {
    const h = hosted.get(m.talkgroupId);
    if (!h) return { ok: false, reason: 'not hosted here' };
    const producerId =
      m.producerId ??
      (m.talker.kind === 'gateway' ? h.media.producerOf(m.talker.id) : h.media.systemProducerId);
    if (!producerId) return { ok: false, reason: 'the talker has no source here' };
    const transport = await h.media.router.createPipeTransport({ listenIp: this.listenIp });
    try {
      await transport.connect({ ip: m.ip, port: m.port });
      const consumer = await transport.consume({ producerId });
      this.outgoing.add(transport);
      consumer.observer.once('close', () => {
        this.outgoing.delete(transport);
        this.pending.forget(m.requestId);
        transport.close();
        if (!this.dropped.has(transport))
          void this.bus.publish(PIPE_BUS.closed, { producerId }).catch(() => undefined);
      });
      if (!this.pending.add(m.requestId, transport, Date.now())) {
        this.drop(transport);
        return { ok: false, reason: 'cancelled' };
      }
      const { localIp: ip, localPort: port } = transport.tuple;
      return { ok: true, producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters, ip, port };
    } catch (err) {
      transport.close();
      throw err;
    }
  }

  /**
   * On the patched talkgroup's host: the source of `talker` on talkgroup `origin`, hosted by
   * another instance, piped into `hosted`'s router. Its producer id, or null (no host, no
   * answer, no such source).
   */
  async relayFrom(
    hosted: Hosted,
    origin: string,
    talker: RadioTalker,
    browserProducerId?: string,
  ): Promise<string | null> {
    const host = await this.state.leaseOwner(origin);
    if (!host || host === this.config.instanceId || this.bus.driver === 'in-process') return null;
    if (browserProducerId && hosted.media.hasRelayed(browserProducerId)) return browserProducerId;
    const key = `${hosted.row.id}|${origin}|${talker.kind}:${talker.id}`;
    const known = this.incoming.get(key);
    if (known && hosted.media.hasRelayed(known)) return known;
    const transport = await hosted.media.router.createPipeTransport({ listenIp: this.listenIp });
    const requestId = randomUUID();
    // the other end is opened (or about to be) on the origin's host: unless this one is
    // connected, tell it to close there, else it stays open until its source closes
    const cancel = () =>
      void this.bus.publish<PipeRequestRef>(PIPE_BUS.cancel, { requestId, to: host }).catch(() => undefined);
    try {
      const a = await this.ask({
        requestId,
        to: host,
        talkgroupId: origin,
        talker,
        ...(browserProducerId ? { producerId: browserProducerId } : {}),
        ip: transport.tuple.localIp,
        port: transport.tuple.localPort,
      });
      if (!a?.ok || hosted.media.closed) {
        transport.close();
        if (a?.ok !== false) cancel();
        else this.logger.info({ origin, reason: a.reason }, 'radio pipe refused');
        return null;
      }
      // a source piped before (an earlier transmission of the same talker): keep that pipe
      if (hosted.media.hasRelayed(a.producerId)) {
        transport.close();
        cancel();
        return a.producerId;
      }
      await transport.connect({ ip: a.ip, port: a.port });
      const producer = await transport.produce({
        id: a.producerId,
        kind: a.kind,
        rtpParameters: a.rtpParameters,
      });
      this.incoming.set(key, a.producerId);
      this.origins.add(producer, { origin, host });
      producer.observer.once('close', () => {
        transport.close();
        this.origins.remove(producer);
        if (this.incoming.get(key) === a.producerId) this.incoming.delete(key);
      });
      await hosted.media.addRelayed(producer);
      void this.bus.publish<PipeRequestRef>(PIPE_BUS.ready, { requestId, to: host }).catch(() => undefined);
      return a.producerId;
    } catch (err) {
      transport.close();
      cancel();
      throw err;
    }
  }

  /**
   * Closes the relays fed by an instance that no longer hosts their origin talkgroup: it died
   * (its lease expired) or another took the talkgroup over, and a dead host never says
   * `radio.pipe.closed`. Called by the hub with its lease renewals (every 3 s).
   */
  async sweepOrigins(): Promise<number> {
    const owners = new Map<string, string | null>();
    for (const origin of this.origins.origins()) {
      const owner = await this.state.leaseOwner(origin).catch(() => undefined);
      // Redis away: nothing proven about the host
      if (owner !== undefined) owners.set(origin, owner);
    }
    const orphaned = this.origins.orphaned(owners);
    for (const producer of orphaned) {
      this.logger.info(
        { producerId: producer.id },
        'radio relay closed: its host stopped hosting its origin',
      );
      producer.close();
    }
    return orphaned.length;
  }

  private async ask(m: PipeOpen): Promise<PipeAnswer | null> {
    let settle: (a: PipeAnswer | null) => void = () => undefined;
    const answered = new Promise<PipeAnswer | null>((r) => (settle = r));
    const off = await this.bus.subscribe<PipeAnswer>(PIPE_BUS.answer(m.requestId), (a) => settle(a));
    const timer = setTimeout(() => settle(null), ANSWER_MS);
    try {
      await this.bus.publish<PipeOpen>(PIPE_BUS.open, m);
      return await answered;
    } finally {
      clearTimeout(timer);
      off();
    }
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe.forEach((u) => u());
    for (const t of this.outgoing) t.close();
  }
}
