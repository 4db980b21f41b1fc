import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import {
  DUTY_EVENTS,
  type CreateHandoverRequest,
  type HandoverOverduePayload,
  type HandoverView,
} from '#contracts';
import {
  dutyAssigneeDenial,
  handoverConfirmDenial,
  handoverDenial,
  toShanghaiIso,
  type Actor,
} from '#domain';
import { AuditStore } from '#persistence';
import { AppConfig, DomainError, LOGGER } from '#platform';
import { refuse } from '../../directives/shared/refuse.js';
import { RealtimeServer, siteRoom, userRoom } from '../../directives/shared/realtime.js';
import { DutyRosterRepository } from '../roster/duty-roster.repository.js';
import { DutyRoster } from '../roster/duty-roster.service.js';
import { HandoversRepository, type HandoverRow } from './handovers.repository.js';
import { OpenItemSources } from './open-items.js';

/** An overdue handover is found within this of its window's end. */
const SWEEP_MS = 5000;
const SWEEP_BATCH = 100;

const view = (h: HandoverRow): HandoverView => ({
  id: h.id,
  siteId: h.siteId,
  fromUserId: h.fromUserId,
  toUserId: h.toUserId,
  notes: h.notes,
  openItems: h.openItems,
  createdAt: toShanghaiIso(h.createdAt),
  dueBy: toShanghaiIso(h.dueBy),
  confirmedAt: h.confirmedAt && toShanghaiIso(h.confirmedAt),
  alertedAt: h.alertedAt && toShanghaiIso(h.alertedAt),
});

/**
 * 交接班: the outgoing officer hands over with the open items filled in from every
 * registered source; only the incoming officer confirms; a handover still unconfirmed when
 * its window ends alerts the leader on duty (rostered, else the site's fixed leader) on
 * the console and in the audit chain, once, whichever instance sweeps first.
 */
@Injectable()
export class HandoversService implements OnApplicationBootstrap, OnApplicationShutdown {
  private sweeper: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditStore,
    private readonly handovers: HandoversRepository,
    private readonly sources: OpenItemSources,
    private readonly roster: DutyRoster,
    private readonly rosterData: DutyRosterRepository,
    private readonly realtime: RealtimeServer,
    private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.sweeping;
  }

  async create(actor: Actor, req: CreateHandoverRequest): Promise<HandoverView> {
    const sitePath = await this.roster.siteInScope(actor, req.siteId);
    refuse(handoverDenial(actor.userId, req.toUserId));
    const users = await this.rosterData.users([req.toUserId]);
    refuse(dutyAssigneeDenial('toUserId', req.toUserId, sitePath, users.get(req.toUserId)));
    const openItems = await this.sources.collect(req.siteId);
    const row = await this.dataSource.transaction(async (tx) => {
      const inserted = await this.handovers.insert(
        tx,
        {
          siteId: req.siteId,
          fromUserId: actor.userId,
          toUserId: req.toUserId,
          notes: req.notes ?? null,
          openItems,
        },
        this.config.raw.DUTY_HANDOVER_WINDOW_SECONDS,
      );
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'duty.handover.create',
          subjectType: 'duty_handover',
          subjectId: inserted.id,
          data: {
            siteId: req.siteId,
            toUserId: req.toUserId,
            notes: req.notes ?? null,
            openItems: openItems.map((i) => `${i.kind}:${i.id}`),
            dueBy: inserted.dueBy.toISOString(),
          },
        },
        tx,
      );
      return inserted;
    });
    return view(row);
  }

  async confirm(actor: Actor, id: string): Promise<HandoverView> {
    const found = await this.handovers.get(id);
    if (!found) throw new DomainError('not_found', `handover ${id} does not exist`);
    refuse(handoverConfirmDenial(found, actor.userId));
    const row = await this.dataSource.transaction(async (tx) => {
      const confirmed = await this.handovers.confirm(tx, id);
      if (!confirmed) throw new DomainError('conflict', 'the handover was already confirmed');
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'duty.handover.confirm',
          subjectType: 'duty_handover',
          subjectId: id,
          data: { siteId: confirmed.siteId, late: confirmed.confirmedAt! > confirmed.dueBy },
        },
        tx,
      );
      return confirmed;
    });
    return view(row);
  }

  async list(actor: Actor, siteId: string): Promise<HandoverView[]> {
    await this.roster.siteInScope(actor, siteId);
    return (await this.handovers.recent(siteId, 50)).map(view);
  }

  /** Alerts for every handover past its window; answers how many (tests call it directly). */
  async sweep(): Promise<number> {
    if (this.sweeping) await this.sweeping;
    let alerted = 0;
    this.sweeping = (async () => {
      try {
        alerted = await this.alertOverdue();
      } catch (err) {
        this.logger.warn({ err }, 'handover sweep failed');
      } finally {
        this.sweeping = null;
      }
    })();
    await this.sweeping;
    return alerted;
  }

  private async alertOverdue(): Promise<number> {
    const alerts: { row: HandoverRow; leaderId: string | null }[] = [];
    await this.dataSource.transaction(async (tx) => {
      const overdue = await this.handovers.takeOverdue(tx, SWEEP_BATCH);
      for (const row of overdue) {
        const leader = await this.roster.leaderAt(row.siteId, row.dueBy, tx);
        alerts.push({ row, leaderId: leader?.userId ?? null });
      }
      if (alerts.length === 0) return;
      await this.audit.appendMany(
        alerts.map(({ row, leaderId }) => ({
          actorId: null,
          action: 'duty.handover.overdue',
          subjectType: 'duty_handover',
          subjectId: row.id,
          data: { siteId: row.siteId, toUserId: row.toUserId, dueBy: row.dueBy.toISOString(), leaderId },
        })),
        tx,
      );
    });
    if (!this.realtime.ready) return alerts.length;
    for (const { row, leaderId } of alerts) {
      const payload: HandoverOverduePayload = {
        handoverId: row.id,
        siteId: row.siteId,
        siteName: (await this.rosterData.siteName(row.siteId)) ?? '',
        fromUserId: row.fromUserId,
        toUserId: row.toUserId,
        dueBy: toShanghaiIso(row.dueBy),
      };
      if (!leaderId)
        this.logger.warn({ siteId: row.siteId }, 'handover overdue: the site has no leader on duty');
      const rooms = leaderId ? [userRoom(leaderId), siteRoom(row.siteId)] : [siteRoom(row.siteId)];
      this.realtime.io.to(rooms).emit(DUTY_EVENTS.handoverOverdue, payload);
    }
    return alerts.length;
  }
}
