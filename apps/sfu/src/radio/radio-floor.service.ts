import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import {
  RADIO_BUS,
  type FloorRank,
  type RadioCmd,
  type RadioCmdMessage,
  type RadioFloorMessage,
  type RadioTalker,
  type RadioUnkeyReason,
} from '#contracts';
import { AuditStore } from '#persistence';
import { AppConfig, EventBus, LOGGER } from '#platform';
import { expireHang, releaseFloor, requestFloor, timedOut, type FloorHolder, type FloorState } from '#radio';
import { keyTargets, unkeyTargets } from './cmd-targets.js';
import { RadioStateStore } from './radio-state.store.js';
import { TalkgroupsRepository } from './talkgroups.repository.js';
import { floorView } from './views.js';
import { recordingPath } from './transmission-recorder.js';

export type FloorOutcome =
  { verdict: 'granted' | 'preempted'; holder: FloorHolder } | { verdict: 'busy'; heldBy: FloorHolder };

/** the floor message with what the media host needs to follow it */
export interface FloorChange extends RadioFloorMessage {
  /**
   * `origin`: the patched talkgroup the talker is on, when relayed from there; `producerId`:
   * a console's microphone (browser PTT) on the host, instead of the hub's system source
   */
  holder: (FloorHolder & { directiveId: string | null; origin?: string; producerId?: string }) | null;
}

/**
 * Who may talk on a talkgroup, decided on any instance with the pure rules of #radio around
 * the shared floor state; this service keys and unkeys the gateways, opens and closes the
 * transmission rows and audits them, and tells the media host (RADIO_BUS.floor) to follow.
 */
@Injectable()
export class RadioFloorService {
  constructor(
    private readonly state: RadioStateStore,
    private readonly repo: TalkgroupsRepository,
    private readonly audit: AuditStore,
    private readonly bus: EventBus,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  get hangMs(): number {
    return this.config.raw.RADIO_HANG_MS;
  }

  get totMs(): number {
    return this.config.raw.RADIO_TOT_SECONDS * 1000;
  }

  floor(talkgroupId: string): Promise<FloorState> {
    return this.state.floor(talkgroupId);
  }

  async requestFloor(
    talkgroupId: string,
    talker: RadioTalker,
    rank: FloorRank,
    opts: { directiveId?: string | null; codec?: string; origin?: string; producerId?: string } = {},
  ): Promise<FloorOutcome> {
    const transmissionId = randomUUID();
    const now = Date.now();
    const decision = await this.state.updateFloor(talkgroupId, (s) => {
      const d = requestFloor(expireHang(s, now), { talker, rank, transmissionId, now });
      return { state: d.state, result: d };
    });
    if (decision.verdict === 'busy') return { verdict: 'busy', heldBy: decision.heldBy };
    // the same talker asking again keeps its transmission: nothing new on air
    if (decision.holder.transmissionId !== transmissionId)
      return { verdict: 'granted', holder: decision.holder };
    if (decision.verdict === 'preempted') await this.ended(talkgroupId, decision.preempted, 'preempted');
    await this.started(talkgroupId, decision.holder, opts);
    if (!opts.origin) await this.relay(talkgroupId, decision.holder, opts);
    return { verdict: decision.verdict, holder: decision.holder };
  }

  /** Patched talkgroups hear the talker too, each as a transmission of its own (one hop, no loops). */
  private async relay(
    talkgroupId: string,
    holder: FloorHolder,
    opts: { directiveId?: string | null; codec?: string; producerId?: string },
  ): Promise<void> {
    for (const other of await this.repo.patchesOf(talkgroupId)) {
      const out = await this.requestFloor(other, holder.talker, holder.rank, {
        ...opts,
        origin: talkgroupId,
      });
      if (out.verdict === 'busy') continue;
      // shared: the transmission may end on another instance than the one that granted it
      // (a gateway's carrier on its host after an emergency decided elsewhere)
      await this.state.addRelay(holder.transmissionId, {
        talkgroupId: other,
        transmissionId: out.holder.transmissionId,
      });
    }
  }

  /** The talker stops; hang time starts. False when it did not hold the floor. */
  async releaseFloor(talkgroupId: string, talkerId: string): Promise<boolean> {
    const released = await this.state.updateFloor(talkgroupId, (s) => {
      const r = releaseFloor(s, talkerId, Date.now(), this.hangMs);
      return { state: r.state, result: r.released };
    });
    if (released) await this.ended(talkgroupId, released, 'ended');
    return Boolean(released);
  }

  /**
   * Ends this transmission if it still holds the floor (timeout, inhibit, gateway gone,
   * shutdown); `interrupted` marks its row so when its media host is gone mid-way.
   */
  async cut(
    talkgroupId: string,
    transmissionId: string,
    reason: RadioUnkeyReason,
    interrupted = false,
  ): Promise<boolean> {
    const cutHolder = await this.state.updateFloor(talkgroupId, (s) => {
      if (s.holder?.transmissionId !== transmissionId) return { state: s, result: null };
      const r = releaseFloor(s, s.holder.talker.id, Date.now(), this.hangMs);
      return { state: r.state, result: r.released };
    });
    if (cutHolder) await this.ended(talkgroupId, cutHolder, reason, interrupted);
    return Boolean(cutHolder);
  }

  /** TOT and hang expiry, run by the media host on a tick. */
  async tick(talkgroupId: string): Promise<FloorHolder | null> {
    const s = await this.state.floor(talkgroupId);
    const over = timedOut(s, Date.now(), this.totMs);
    if (over) return (await this.cut(talkgroupId, over.transmissionId, 'timeout')) ? over : null;
    if (s.hang && s.hang.until <= Date.now() && !s.holder) {
      await this.state.updateFloor(talkgroupId, (cur) => ({
        state: expireHang(cur, Date.now()),
        result: null,
      }));
      await this.publish(talkgroupId, null);
    }
    return null;
  }

  private async targets(talkgroupId: string): Promise<string[]> {
    // a receive-inhibited gateway is not keyed: the hub sends it nothing to transmit
    return (await this.repo.members([talkgroupId]))
      .filter((g) => !g.revoked && !g.inhibit_rx)
      .map((g) => g.id);
  }

  private async cmd(terminalIds: string[], cmd: RadioCmd): Promise<void> {
    await Promise.all(
      terminalIds.map((terminalId) =>
        this.bus.publish<RadioCmdMessage>(RADIO_BUS.cmd, { terminalId, cmd, id: randomUUID() }),
      ),
    );
  }

  private async publish(talkgroupId: string, holder: FloorChange['holder']): Promise<void> {
    const floor = holder ? floorView({ holder, hang: null }) : null;
    await this.bus.publish<FloorChange>(RADIO_BUS.floor, { talkgroupId, floor, holder });
  }

  private async started(
    talkgroupId: string,
    holder: FloorHolder,
    opts: { directiveId?: string | null; codec?: string; origin?: string; producerId?: string },
  ) {
    const { codec, origin, producerId } = opts;
    const directiveId = opts.directiveId ?? null;
    const audioPath = recordingPath(talkgroupId, holder.transmissionId, codec === 'opus' ? 'opus' : 'PCMA');
    await this.repo.openTransmission({
      id: holder.transmissionId,
      talkgroupId,
      talker: holder.talker,
      rank: holder.rank,
      directiveId,
      audioPath,
      startedAt: new Date(holder.since),
    });
    await this.publish(talkgroupId, {
      ...holder,
      directiveId,
      ...(origin ? { origin } : {}),
      ...(producerId ? { producerId } : {}),
    });
    const others = keyTargets(await this.targets(talkgroupId), holder.talker);
    await this.cmd(others, {
      type: 'key',
      transmissionId: holder.transmissionId,
      talker: { kind: holder.talker.kind, name: holder.talker.name },
    });
  }

  private async ended(
    talkgroupId: string,
    holder: FloorHolder,
    reason: RadioUnkeyReason,
    interrupted = false,
  ): Promise<void> {
    for (const r of await this.state.takeRelays(holder.transmissionId))
      await this.cut(r.talkgroupId, r.transmissionId, reason);
    const told = unkeyTargets(await this.targets(talkgroupId), holder.talker, reason);
    await this.cmd(told, { type: 'unkey', transmissionId: holder.transmissionId, reason });
    const durationMs = Date.now() - holder.since;
    const row = await this.repo.closeTransmission(holder.transmissionId, {
      bytes: 0,
      durationMs,
      interrupted,
    });
    await this.publish(talkgroupId, null);
    await this.audit
      .append({
        actorId: holder.talker.kind === 'user' ? holder.talker.id : null,
        action: 'radio.transmission',
        subjectType: 'talkgroup',
        subjectId: talkgroupId,
        data: {
          transmissionId: holder.transmissionId,
          talker: holder.talker,
          rank: holder.rank,
          reason,
          durationMs,
          directiveId: row?.directive_id ?? null,
        },
      })
      .catch((err: unknown) => this.logger.error({ err, talkgroupId }, 'radio transmission not audited'));
  }
}
