import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { CreateReportRequest, ReportView } from '#contracts';
import {
  dueFor,
  incidentDeadlines,
  isClosed,
  isWritten,
  lateBySeconds,
  slotAnswered,
  type Actor,
} from '#domain';
import { AuditStore } from '#persistence';
import { DomainError } from '#platform';
import { DutyRoster } from '../duty/roster/duty-roster.service.js';
import { slotKey } from './incident-alerts.js';
import { IncidentDeadlines } from './incident-deadlines.js';
import { FindingsRepository } from './findings.repository.js';
import { IncidentsRepository, type IncidentRow, type ReportRow } from './incidents.repository.js';
import { isCommander, ReportingAccess } from './reporting-access.js';
import { ReportingBudget } from './reporting-budget.js';
import { factOf, reportView, ruleOf } from './views.js';

/**
 * Reports on an incident, as linked versions (电话报告, 初报, 续报, 终报): appended, never
 * edited. A report answers the deadline owed when it is made; a phone report counts when
 * made, a written one when the site's leader signs it (签发). A submission past its deadline,
 * or a signature past it, is a `late` finding, one per deadline (drills make none). A signed
 * 终报 closes the incident.
 */
@Injectable()
export class IncidentReports {
  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: IncidentsRepository,
    private readonly findings: FindingsRepository,
    private readonly access: ReportingAccess,
    private readonly deadlines: IncidentDeadlines,
    private readonly roster: DutyRoster,
    private readonly budget: ReportingBudget,
    private readonly audit: AuditStore,
  ) {}

  async submit(actor: Actor, incidentId: string, req: CreateReportRequest): Promise<ReportView> {
    await this.access.incident(actor, incidentId);
    await this.budget.take(actor);
    const { incident, report } = await this.dataSource.transaction(async (tx) => {
      const incident = (await this.incidents.find(incidentId, tx, true))!;
      if (incident.state === 'closed')
        throw new DomainError('conflict', 'the incident is closed by its signed 终报');
      const reports = await this.incidents.reports([incidentId], tx);
      if (req.corrects && !reports.some((r) => r.id === req.corrects))
        throw new DomainError('invalid', 'corrects: not a report of this incident', [
          { path: 'corrects', message: 'not a report of this incident' },
        ]);
      const facts = reports.map(factOf);
      const now = new Date();
      const owed = dueFor(req.kind, incidentDeadlines(ruleOf(incident), incident.learned_at, facts));
      // a correction, or a second report of a deadline already answered, answers none
      const due =
        req.corrects || (owed && owed.slot !== 'followup' && slotAnswered(owed.slot, facts)) ? null : owed;
      const report = await this.incidents.insertReport(tx, {
        id: randomUUID(),
        incidentId,
        kind: req.kind,
        content: req.content,
        corrects: req.corrects ?? null,
        submittedBy: actor.userId,
        submittedAt: now,
        dueAt: due?.dueAt ?? null,
        lateBySeconds: lateBySeconds(due?.dueAt ?? null, now),
      });
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'report.submit',
          subjectType: 'incident',
          subjectId: incidentId,
          data: {
            reportId: report.id,
            seq: report.seq,
            kind: report.kind,
            lateBySeconds: report.late_by_s,
            ...(req.corrects ? { corrects: req.corrects } : {}),
          },
        },
        tx,
      );
      // a late submission is late whatever follows; one signed late after an on-time submission, at the signature
      await this.lateFinding(tx, incident, report, now);
      return { incident, report };
    });
    await this.deadlines.schedule(incident, await this.incidents.reports([incidentId]));
    return reportView(report);
  }

  /** 签发: the site's leader on duty now (roster, else the fixed leader) or a commander in scope. */
  async sign(actor: Actor, incidentId: string, reportId: string): Promise<ReportView> {
    const { incident } = await this.access.incident(actor, incidentId);
    const leader = await this.roster.leaderAt(incident.site_id, new Date());
    if (!isCommander(actor) && leader?.userId !== actor.userId)
      throw new DomainError('forbidden', "only the site's leader on duty or a commander signs a report off");
    const signed = await this.dataSource.transaction(async (tx) => {
      await this.incidents.find(incidentId, tx, true);
      const report = (await this.incidents.reports([incidentId], tx)).find((r) => r.id === reportId);
      if (!report)
        throw new DomainError('not_found', `report ${reportId} is not a report of incident ${incidentId}`);
      if (!isWritten(report.kind)) throw new DomainError('conflict', 'a phone report is not signed off');
      const now = new Date();
      const signed = await this.incidents.sign(tx, reportId, actor.userId, now);
      if (!signed) throw new DomainError('conflict', 'this report is signed off already');
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'report.sign',
          subjectType: 'incident',
          subjectId: incidentId,
          data: { reportId, seq: signed.seq, kind: signed.kind, asLeader: leader?.userId === actor.userId },
        },
        tx,
      );
      await this.lateFinding(tx, incident, signed, now);
      const all = await this.incidents.reports([incidentId], tx);
      if (isClosed(all.map(factOf))) {
        await this.incidents.close(tx, incidentId);
        await this.audit.append(
          {
            actorId: actor.userId,
            action: 'incident.close',
            subjectType: 'incident',
            subjectId: incidentId,
            data: { reportId },
          },
          tx,
        );
      }
      return signed;
    });
    const fresh = (await this.incidents.find(incidentId))!;
    await this.deadlines.schedule(fresh, await this.incidents.reports([incidentId]));
    return reportView(signed);
  }

  /** A report counted past its deadline: one `late` finding per deadline, none for drills. */
  private async lateFinding(tx: EntityManager, i: IncidentRow, r: ReportRow, countedAt: Date): Promise<void> {
    const seconds = lateBySeconds(r.due_at, countedAt);
    if (i.drill || !r.due_at || seconds <= 0) return;
    const slot = r.kind === 'phone' ? 'phone' : r.kind === 'initial' ? 'initial' : 'followup';
    const finding = await this.findings.insert(tx, {
      id: randomUUID(),
      siteId: i.site_id,
      kind: 'late',
      incidentId: i.id,
      seconds,
      note: null,
      slot: `late:${slotKey(slot, r.due_at)}`,
      drill: false,
      createdBy: null,
    });
    if (finding)
      await this.audit.append(
        {
          actorId: null,
          action: 'finding.made',
          subjectType: 'incident',
          subjectId: i.id,
          data: { findingId: finding.id, kind: 'late', seconds, reportId: r.id, siteId: i.site_id },
        },
        tx,
      );
  }

  /** Nothing submitted is edited (409): a correction is a new report with `corrects`. */
  async edit(actor: Actor, incidentId: string, reportId: string): Promise<never> {
    await this.access.incident(actor, incidentId);
    const report = (await this.incidents.reports([incidentId])).find((r) => r.id === reportId);
    if (!report)
      throw new DomainError('not_found', `report ${reportId} is not a report of incident ${incidentId}`);
    throw new DomainError('conflict', 'a submitted report is never edited: submit a correction (corrects)');
  }
}
