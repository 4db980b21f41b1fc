import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import {
  RADIO_BUS,
  RADIO_CODEC_RTP,
  type RadioCmdMessage,
  type RadioGatewayMessage,
  type RadioPresenceMessage,
  type RadioTalker,
} from '#contracts';
import { AuditStore } from '#persistence';
import { AppConfig, EventBus, LOGGER, Metrics } from '#platform';
import { TERMINALS_CHANGED, type TerminalsChanged } from '#terminals';
import { WorkerPoolService } from '../worker-pool.service.js';
import { closeAbandoned } from './abandoned-transmissions.js';
import { RadioEmergencies } from './radio-emergencies.js';
import { RadioFloorService, type FloorChange } from './radio-floor.service.js';
import { RadioStateStore } from './radio-state.store.js';
import { followHolder, radioHubMetrics, type Hosted } from './hosted-talkgroup.js';
import { PipeRelay } from './pipe-relay.js';
import { TalkgroupMedia } from './talkgroup-media.js';
import { GATEWAY_INHIBIT, TALKGROUP_CHANGED, type GatewayInhibitNotice } from './talkgroups.service.js';
import { TalkgroupsRepository, type TalkgroupRow } from './talkgroups.repository.js';

const TICK_MS = 200;
const SWEEP_EVERY_TICKS = 15;
const LEASE_MS = 10_000;

interface GatewayInfo {
  talkgroupId: string;
  name: string;
  cor: boolean;
  /** cut by the transmit timeout: not granted again until its carrier drops */
  totLocked: boolean;
}

/**
 * The radio gateways' media on this instance: a talkgroup is hosted by the instance that
 * holds its lease (always this one when embedded); it answers its gateways' joins with a
 * fresh RTP leg, turns carrier (COR) into floor requests, follows every floor change by
 * resuming the holder's source, and records each transmission.
 */
@Injectable()
export class RadioHubService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly hosted = new Map<string, Hosted>();
  readonly gateways = new Map<string, GatewayInfo>();
  private readonly opening = new Map<string, Promise<Hosted>>();
  private readonly unsubscribe: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private ticks = 0;
  private readonly events: Counter<'outcome'>;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly bus: EventBus,
    private readonly workers: WorkerPoolService,
    private readonly repo: TalkgroupsRepository,
    private readonly floor: RadioFloorService,
    private readonly state: RadioStateStore,
    private readonly audit: AuditStore,
    private readonly emergencies: RadioEmergencies,
    private readonly pipes: PipeRelay,
    metrics: Metrics,
  ) {
    this.events = radioHubMetrics(metrics, this.hosted);
  }

  get enabled(): boolean {
    return this.config.raw.SFU_ENABLED;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.closeAbandoned();
    await this.pipes.serve(this.hosted);
    this.unsubscribe.push(
      await this.bus.subscribe<RadioGatewayMessage>(
        RADIO_BUS.gateway,
        (m) => void this.guard(() => this.onGateway(m)),
      ),
      await this.bus.subscribe<FloorChange>(RADIO_BUS.floor, (m) => void this.guard(() => this.follow(m))),
      await this.bus.subscribe<{ talkgroupId: string }>(
        TALKGROUP_CHANGED,
        (m) => void this.guard(() => this.onTalkgroupChanged(m.talkgroupId)),
      ),
      await this.bus.subscribe<RadioPresenceMessage>(
        RADIO_BUS.presence,
        (m) => void this.guard(() => this.onPresence(m)),
      ),
      await this.bus.subscribe<GatewayInhibitNotice>(
        GATEWAY_INHIBIT,
        (m) => void this.guard(() => this.onInhibit(m)),
      ),
      await this.bus.subscribe<TerminalsChanged>(
        TERMINALS_CHANGED,
        (m) => void this.guard(async () => (m.revoked ? this.dropGateway(m.id, 'revoked') : undefined)),
      ),
    );
    this.timer = setInterval(() => void this.guard(() => this.tick()), TICK_MS);
    this.timer.unref();
  }

  private async guard(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.logger.error({ err }, 'radio hub step failed');
    }
  }

  private closeAbandoned(): Promise<number> {
    return closeAbandoned({
      repo: this.repo,
      state: this.state,
      audit: this.audit,
      logger: this.logger,
      dataDir: this.config.dataDir,
      instanceId: this.config.instanceId,
      live: (tg) => this.hosted.get(tg)?.holder?.transmissionId ?? null,
    });
  }

  private count(outcome: string): void {
    this.events.inc({ outcome });
  }

  private async onGateway(m: RadioGatewayMessage): Promise<void> {
    if (m.leaf === 'join') return this.onJoin(m.terminalId, m.body.codecs, m.body.ssrc);
    if (m.leaf === 'state') return this.onState(m.terminalId, m.body.cor, m.body.ptt);
    if (m.body.type === 'emergency') return this.onEmergency(m.terminalId);
  }

  private async onJoin(terminalId: string, codecs: string[], ssrc: number): Promise<void> {
    const tg = await this.repo.talkgroupOfGateway(terminalId);
    if (!tg) {
      this.count('ignored_no_talkgroup');
      this.logger.info({ terminalId }, 'radio join from a gateway in no talkgroup: ignored');
      return;
    }
    if (!codecs.includes(tg.codec)) {
      this.count('refused_codec');
      this.logger.warn(
        { terminalId, codecs, wanted: tg.codec },
        'radio join refused: the talkgroup codec is not offered',
      );
      return;
    }
    if (!this.enabled) {
      this.count('refused_disabled');
      return;
    }
    const [gw] = await this.repo.gateways([terminalId]);
    if (!gw || gw.revoked) return;
    const hosted = await this.host(tg);
    if (!hosted) return;
    const members = (await this.repo.members([tg.id])).length;
    if (
      !hosted.media.legs.has(terminalId) &&
      hosted.media.legs.size >= Math.min(members, this.config.raw.RADIO_GATEWAYS_PER_TALKGROUP)
    ) {
      this.count('refused_full');
      return;
    }
    // a re-join (restart, new NAT mapping) ends what it was saying: its old leg is gone
    const before = this.gateways.get(terminalId);
    if (before && hosted.holder?.talker.kind === 'gateway' && hosted.holder.talker.id === terminalId)
      await this.floor.cut(tg.id, hosted.holder.transmissionId, 'ended');
    this.gateways.set(terminalId, { talkgroupId: tg.id, name: gw.name, cor: false, totLocked: false });
    const { host, port } = await hosted.media.addGateway(terminalId, ssrc);
    await hosted.media.setInhibit(terminalId, await this.repo.inhibit(terminalId));
    await this.followHolder(hosted);
    const { payloadType, clockRate } = RADIO_CODEC_RTP[tg.codec];
    await this.bus.publish<RadioCmdMessage>(RADIO_BUS.cmd, {
      // a fresh id: the bridges claim commands by it, so a repeated command is not taken for a copy
      id: randomUUID(),
      terminalId,
      cmd: { type: 'media', host, port, codec: tg.codec, payloadType, clockRate },
    });
    this.count('joined');
  }

  /** This instance hosts the talkgroup's media, opening it if it holds (or wins) the lease. */
  private async host(tg: TalkgroupRow): Promise<Hosted | null> {
    const have = this.hosted.get(tg.id);
    if (have && !have.media.closed) return have;
    if (!(await this.state.lease(tg.id, this.config.instanceId, LEASE_MS))) {
      this.count('hosted_elsewhere');
      return null;
    }
    if (this.hosted.size >= this.config.raw.RADIO_TALKGROUPS_PER_INSTANCE) {
      this.count('refused_instance_full');
      this.logger.warn(
        { talkgroupId: tg.id },
        'radio: RADIO_TALKGROUPS_PER_INSTANCE reached, talkgroup not hosted',
      );
      return null;
    }
    let opening = this.opening.get(tg.id);
    if (!opening) {
      opening = (async () => {
        const { SFU_LISTEN_IP: ip, SFU_ANNOUNCED_IP: announcedIp } = this.config.raw;
        const ref: { h?: Hosted } = {};
        const media = await TalkgroupMedia.open(
          this.workers.pick(),
          tg.id,
          tg.codec,
          { ip, announcedIp },
          (p) => ref.h?.recorder?.write(p),
        );
        const h: Hosted = { row: tg, media, recorder: null, holder: null };
        ref.h = h;
        media.router.observer.once('close', () => {
          if (this.hosted.get(tg.id) === h) this.hosted.delete(tg.id);
        });
        this.hosted.set(tg.id, h);
        return h;
      })().finally(() => this.opening.delete(tg.id));
      this.opening.set(tg.id, opening);
    }
    return opening;
  }

  private async onState(terminalId: string, cor: boolean, ptt: boolean): Promise<void> {
    await this.state.setGateway(terminalId, { cor, ptt });
    const gw = this.gateways.get(terminalId);
    const hosted = gw && this.hosted.get(gw.talkgroupId);
    if (!gw || !hosted) return;
    gw.cor = cor;
    if (!cor) {
      gw.totLocked = false;
      await this.floor.releaseFloor(gw.talkgroupId, terminalId);
      return;
    }
    await this.tryTalk(terminalId, gw);
  }

  private async tryTalk(terminalId: string, gw: GatewayInfo): Promise<void> {
    const leg = this.hosted.get(gw.talkgroupId)?.media.legs.get(terminalId);
    if (!leg || leg.inhibit.tx || gw.totLocked) return;
    const talker: RadioTalker = { kind: 'gateway', id: terminalId, name: gw.name };
    const out = await this.floor.requestFloor(gw.talkgroupId, talker, 'radio', {
      codec: this.hosted.get(gw.talkgroupId)?.row.codec,
    });
    if (out.verdict === 'busy') this.count('cor_busy');
  }

  private async onEmergency(terminalId: string): Promise<void> {
    const tg = await this.repo.talkgroupOfGateway(terminalId);
    if (!tg) return;
    const [gw] = await this.repo.gateways([terminalId]);
    const talker: RadioTalker = { kind: 'gateway', id: terminalId, name: gw?.name ?? terminalId };
    const out = await this.floor.requestFloor(tg.id, talker, 'emergency', { codec: tg.codec });
    await this.emergencies.raise(tg, terminalId, out.verdict === 'busy' ? null : out.holder.transmissionId);
  }

  /** A floor change, decided on any instance: the host resumes the holder's source and records it. */
  private async follow(m: FloorChange): Promise<void> {
    const hosted = this.hosted.get(m.talkgroupId);
    if (!hosted) return;
    hosted.holder = m.holder;
    await this.followHolder(hosted);
  }

  private followHolder(hosted: Hosted): Promise<void> {
    return followHolder(hosted, {
      hosted: this.hosted,
      dataDir: this.config.dataDir,
      // the transmit timeout's worth of A-law (8000 bytes a second) and a second of slack
      maxBytes: (this.config.raw.RADIO_TOT_SECONDS + 1) * 8000,
      setBytes: (id, bytes) => this.repo.setBytes(id, bytes),
      logger: this.logger,
      count: (outcome) => this.count(outcome),
      remoteRelay: (h, origin, talker, producerId) => this.pipes.relayFrom(h, origin, talker, producerId),
    });
  }

  private async onInhibit(n: GatewayInhibitNotice): Promise<void> {
    await this.hosted.get(n.talkgroupId)?.media.setInhibit(n.terminalId, { tx: n.tx, rx: n.rx });
  }

  private async tick(): Promise<void> {
    this.ticks += 1;
    for (const [id, hosted] of this.hosted) {
      const timedOut = await this.floor.tick(id);
      if (timedOut?.talker.kind === 'gateway') this.lockAfterTimeout(timedOut.talker.id);
      // a gateway still carrying when the floor frees asks again (after the hang, by the rules)
      const s = await this.floor.floor(id);
      const now = Date.now();
      if (!s.holder)
        for (const [terminalId, gw] of this.gateways)
          if (gw.talkgroupId === id && gw.cor && !gw.totLocked)
            if (!s.hang || s.hang.until <= now || s.hang.lastTalker.id === terminalId)
              await this.tryTalk(terminalId, gw);
      if (this.ticks % SWEEP_EVERY_TICKS === 0) {
        if (!(await this.state.lease(id, this.config.instanceId, LEASE_MS)))
          await this.unhost(id, 'lease lost');
        else await this.sweepPresence(hosted);
      }
    }
    // with the lease renewals: a relay whose feeding host died is closed within its lease (10 s)
    if (this.ticks % SWEEP_EVERY_TICKS === 0) await this.pipes.sweepOrigins();
    if (this.ticks % (SWEEP_EVERY_TICKS * 10) === 0) await this.closeAbandoned();
  }

  /** TOT: called by the floor on a timeout so the gateway does not win the floor straight back. */
  lockAfterTimeout(terminalId: string): void {
    const gw = this.gateways.get(terminalId);
    if (gw) gw.totLocked = true;
  }

  /**
   * A bridge saw the gateway's connection end. Each edge may come once per bridge, and an
   * `offline` from the bridge it left may arrive after it joined through another: only one
   * seen after its leg was made ends it (the database sweep below is the fallback).
   */
  private async onPresence(m: RadioPresenceMessage): Promise<void> {
    if (m.online) return;
    const gw = this.gateways.get(m.terminalId);
    const leg = gw && this.hosted.get(gw.talkgroupId)?.media.legs.get(m.terminalId);
    if (leg && Date.parse(m.at) > leg.createdAt) await this.dropGateway(m.terminalId, 'offline');
  }

  /** A gateway the bridge marked offline after it joined: its leg goes, its floor is released. */
  private async sweepPresence(hosted: Hosted): Promise<void> {
    const ids = [...hosted.media.legs.keys()];
    if (!ids.length) return;
    for (const g of await this.repo.gateways(ids)) {
      const leg = hosted.media.legs.get(g.id);
      if (!leg) continue;
      const goneSince =
        g.presence === 'offline' && g.last_seen_at && new Date(g.last_seen_at).getTime() > leg.createdAt;
      if (goneSince || g.revoked || g.talkgroup_id !== hosted.row.id) await this.dropGateway(g.id, 'offline');
    }
  }

  async dropGateway(terminalId: string, why: string): Promise<void> {
    const gw = this.gateways.get(terminalId);
    if (!gw) return;
    this.gateways.delete(terminalId);
    await this.state.setGateway(terminalId, null);
    const hosted = this.hosted.get(gw.talkgroupId);
    if (!hosted) return;
    hosted.media.closeGateway(terminalId);
    this.logger.info({ terminalId, why }, 'radio gateway leg closed');
    const s = await this.floor.floor(gw.talkgroupId);
    if (s.holder?.talker.id === terminalId)
      await this.floor.cut(gw.talkgroupId, s.holder.transmissionId, 'ended');
  }

  private async onTalkgroupChanged(talkgroupId: string): Promise<void> {
    const hosted = this.hosted.get(talkgroupId);
    if (!hosted) return;
    const tg = await this.repo.get(talkgroupId);
    // deleted, or a new codec: close it all; gateways join again (their agents re-send join on media loss)
    if (!tg || tg.codec !== hosted.row.codec) return this.unhost(talkgroupId, 'talkgroup changed');
    hosted.row = tg;
    const members = new Set((await this.repo.members([talkgroupId])).map((m) => m.id));
    for (const id of hosted.media.legs.keys())
      if (!members.has(id)) await this.dropGateway(id, 'removed from talkgroup');
  }

  private async unhost(talkgroupId: string, why: string): Promise<void> {
    const hosted = this.hosted.get(talkgroupId);
    if (!hosted) return;
    this.hosted.delete(talkgroupId);
    const s = await this.floor.floor(talkgroupId);
    if (s.holder) await this.floor.cut(talkgroupId, s.holder.transmissionId, 'shutdown');
    for (const [id, gw] of this.gateways) if (gw.talkgroupId === talkgroupId) this.gateways.delete(id);
    if (hosted.recorder)
      await hosted.recorder
        .close()
        .then(({ bytes }) => this.repo.setBytes(hosted.recorder!.transmissionId, bytes));
    hosted.media.close();
    await this.state.releaseLease(talkgroupId, this.config.instanceId);
    this.logger.info({ talkgroupId, why }, 'radio talkgroup media closed');
  }

  /** The hosted media of a talkgroup, opened on demand (for the hub's own transmissions). */
  async media(talkgroupId: string): Promise<Hosted | null> {
    const tg = await this.repo.get(talkgroupId);
    return tg && this.enabled ? this.host(tg) : null;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe.forEach((u) => u());
    for (const id of [...this.hosted.keys()]) await this.unhost(id, 'shutdown').catch(() => undefined);
  }
}
