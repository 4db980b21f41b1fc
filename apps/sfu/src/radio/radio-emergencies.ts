import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RADIO_BUS, type RadioEmergencyMessage, type RadioEmergencyView } from '#contracts';
import { canUseTalkgroup, type Actor } from '#domain';
import { AuditStore } from '#persistence';
import { DomainError, EventBus } from '#platform';
import { TalkgroupsRepository, type TalkgroupRow } from './talkgroups.repository.js';
import { emergencyView } from './views.js';

/** A gateway's emergency: recorded, audited, announced to dispatchers, acknowledged by one. */
@Injectable()
export class RadioEmergencies {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: TalkgroupsRepository,
    private readonly audit: AuditStore,
    private readonly bus: EventBus,
  ) {}

  async raise(
    tg: TalkgroupRow,
    terminalId: string,
    transmissionId: string | null,
  ): Promise<RadioEmergencyView> {
    const row = await this.dataSource.transaction(async (tx) => {
      const r = await this.repo.insertEmergency(
        { id: randomUUID(), talkgroupId: tg.id, terminalId, transmissionId },
        tx,
      );
      await this.audit.append(
        {
          actorId: null,
          action: 'radio.emergency',
          subjectType: 'talkgroup',
          subjectId: tg.id,
          data: { emergencyId: r.id, terminalId, transmissionId },
        },
        tx,
      );
      return r;
    });
    const view = emergencyView(row);
    await this.bus.publish<RadioEmergencyMessage>(RADIO_BUS.emergency, {
      emergency: view,
      siteId: tg.site_id,
    });
    return view;
  }

  /** Those still awaiting an acknowledgement on talkgroups the actor may use (a console opened late sees them). */
  async open(actor: Actor): Promise<RadioEmergencyView[]> {
    const prefix = actor.role === 'admin' ? '/' : actor.sitePath;
    const visible = (await this.repo.list(prefix)).filter((t) =>
      canUseTalkgroup(actor, { id: t.site_id, path: t.site_path }),
    );
    return (await this.repo.openEmergencies(visible.map((t) => t.id))).map(emergencyView);
  }

  async ack(actor: Actor, id: string): Promise<RadioEmergencyView> {
    const row = await this.repo.emergency(id);
    if (!row) throw new DomainError('not_found', `radio emergency ${id} does not exist`);
    const tg = await this.repo.get(row.talkgroup_id);
    if (tg && !canUseTalkgroup(actor, { id: tg.site_id, path: tg.site_path }))
      throw new DomainError('forbidden', `radio emergency ${id} is outside your scope`);
    if (!tg && actor.role !== 'admin')
      throw new DomainError('not_found', `radio emergency ${id} does not exist`);
    const acked = await this.dataSource.transaction(async (tx) => {
      const r = await this.repo.ackEmergency(id, actor.userId, tx);
      if (!r) return null;
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'radio.emergency.ack',
          subjectType: 'talkgroup',
          subjectId: row.talkgroup_id,
          data: { emergencyId: id },
        },
        tx,
      );
      return r;
    });
    if (!acked) throw new DomainError('conflict', `radio emergency ${id} was already acknowledged`);
    const view = emergencyView(acked);
    // again, acknowledged: every other console watching stops alarming
    if (tg)
      await this.bus.publish<RadioEmergencyMessage>(RADIO_BUS.emergency, {
        emergency: view,
        siteId: tg.site_id,
      });
    return view;
  }
}
