import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CreateDutyLogRequest, DutyLogEntryView, DutyLogQuery, DutyLogVerifyView } from '#contracts';
import { toShanghaiIso, type Actor, type DutyLogEntry } from '#domain';
import { AuditStore } from '#persistence';
import { DutyRoster } from '../roster/duty-roster.service.js';
import { DutyLogRepository, type ListedEntry } from './duty-log.repository.js';

const view = (e: ListedEntry): DutyLogEntryView => {
  const data = e.data as { text: string; caller?: string; unit?: string; phone?: string };
  return {
    seq: e.seq,
    at: toShanghaiIso(new Date(e.at)),
    siteId: e.siteId,
    actorId: e.actorId,
    actorName: e.actorName,
    kind: e.kind,
    text: data.text,
    ...(data.caller !== undefined && { caller: data.caller }),
    ...(data.unit !== undefined && { unit: data.unit }),
    ...(data.phone !== undefined && { phone: data.phone }),
  };
};

/**
 * 值班日志: typed entries (a call with caller, unit and number; a document; 领导批示; handling;
 * a note), append-only. Each append also goes into the audit chain with the entry's seq and
 * hash: the audit chain is anchored outside the database, so a cut tail of the duty log
 * shows against it.
 */
@Injectable()
export class DutyLogService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditStore,
    private readonly log: DutyLogRepository,
    private readonly roster: DutyRoster,
  ) {}

  async append(actor: Actor, req: CreateDutyLogRequest): Promise<DutyLogEntryView> {
    await this.roster.siteInScope(actor, req.siteId);
    const { siteId, kind, ...data } = req;
    const entry: DutyLogEntry = await this.dataSource.transaction(async (tx) => {
      const appended = await this.log.append(tx, { actorId: actor.userId, kind, siteId, data });
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'duty.log.append',
          subjectType: 'duty_log',
          subjectId: String(appended.seq),
          data: { siteId, kind, seq: appended.seq, hash: appended.hash },
        },
        tx,
      );
      return appended;
    });
    return view({ ...entry, actorName: await this.log.actorName(actor.userId) });
  }

  async list(actor: Actor, q: DutyLogQuery): Promise<DutyLogEntryView[]> {
    await this.roster.siteInScope(actor, q.siteId);
    const from = q.from ? new Date(q.from) : null;
    const to = q.to ? new Date(q.to) : null;
    return (await this.log.list(q.siteId, from, to, q.limit)).map(view);
  }

  async verify(): Promise<DutyLogVerifyView> {
    return this.log.verify(await this.log.recordedHead());
  }
}
