import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager, In, IsNull, Not } from 'typeorm';
import {
  SPOT_CHECK_JOBS,
  type SpotCheckVideoAnswerJob,
  type ConsultationDetailView,
  type ConsultationView,
  type CreateConsultationRequest,
  type ListConsultationsQuery,
  type RollCallView,
  type SfuPeerView,
} from '#contracts';
import {
  canJoinConsultation,
  canModerateConsultation,
  canViewConsultation,
  isInScope,
  type Actor,
  type ConsultationScope,
} from '#domain';
import {
  AuditStore,
  ConsultationAttendanceEntity,
  ConsultationEntity,
  RecordingEntity,
  RollCallAnswerEntity,
  RollCallEntity,
  SiteEntity,
} from '#persistence';
import {
  announceConsultation,
  DomainError,
  DrillLinks,
  EventBus,
  JobQueue,
  LOGGER,
  recordConsultation,
} from '#platform';
import { attendanceView, consultationView, recordingView, rollCallView } from './views.js';

export interface LoadedConsultation {
  entity: ConsultationEntity;
  scope: ConsultationScope;
}

/** The consultation records: the meeting, attendance, roll calls (点名). Media lives in RoomsService. */
@Injectable()
export class ConsultationsService implements OnApplicationBootstrap {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditStore,
    private readonly bus: EventBus,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly jobs: JobQueue,
    private readonly drillLinks: DrillLinks,
  ) {}

  /** One audit entry about a consultation; pass the transaction that makes the change. */
  record(
    actor: Actor | null,
    action: string,
    consultationId: string,
    data: Record<string, unknown>,
    manager?: EntityManager,
  ): Promise<unknown> {
    return this.audit.append(
      {
        actorId: actor?.userId ?? null,
        action: `consultation.${action}`,
        subjectType: 'consultation',
        subjectId: consultationId,
        data,
      },
      manager,
    );
  }

  /**
   * A linked directive must exist and be one the creator may read (issued within or
   * addressed to their scope), as GET /directives/:id decides: 404, else 403.
   */
  private async assertDirectiveVisible(actor: Actor, directiveId: string): Promise<void> {
    const [directive] = (await this.dataSource.query(
      'SELECT issuer_site_path FROM directives WHERE id = $1',
      [directiveId],
    )) as { issuer_site_path: string }[];
    if (!directive)
      throw new DomainError('not_found', `directiveId: directive ${directiveId} does not exist`, [
        { path: 'directiveId', message: 'no such directive' },
      ]);
    if (isInScope(actor, directive.issuer_site_path)) return;
    const [addressed] = (await this.dataSource.query(
      `SELECT 1 FROM directive_recipients r JOIN sites s ON s.id = r.site_id
       WHERE r.directive_id = $1 AND s.path LIKE $2 || '%' LIMIT 1`,
      [directiveId, actor.sitePath],
    )) as unknown[];
    if (!addressed)
      throw new DomainError(
        'forbidden',
        `directiveId: directive ${directiveId} is neither issued within nor addressed to your scope`,
        [{ path: 'directiveId', message: 'outside your scope' }],
      );
  }

  /** After a kill -9 nobody is still in a room: close what the crash left open. */
  async onApplicationBootstrap(): Promise<void> {
    await this.dataSource.query(
      `UPDATE consultation_attendance SET left_at = now(), left_reason = 'interrupted' WHERE left_at IS NULL`,
    );
  }

  async create(actor: Actor, req: CreateConsultationRequest): Promise<ConsultationView> {
    const sites = await this.dataSource.getRepository(SiteEntity).findBy({ id: In(req.siteIds) });
    const known = new Map(sites.map((s) => [s.id, s]));
    const missing = req.siteIds.filter((id) => !known.has(id));
    if (missing.length) throw new DomainError('invalid', `siteIds: unknown site ${missing.join(', ')}`);
    const outside = sites.filter((s) => !isInScope(actor, s.path));
    if (outside.length)
      throw new DomainError(
        'forbidden',
        `siteIds: outside your scope: ${outside.map((s) => s.id).join(', ')}`,
      );
    if (req.directiveId) await this.assertDirectiveVisible(actor, req.directiveId);
    // the drill check every drill item makes (404 unknown or out of sight, 409 ended, 422 a site
    // outside the drill)
    await this.drillLinks.check(actor, req.drillId, undefined, req.siteIds);
    const entity = await this.dataSource.transaction(async (tx) => {
      await this.drillLinks.attach(tx, req.drillId, req.siteIds);
      return recordConsultation(tx, this.audit, {
        actor,
        title: req.title,
        siteIds: req.siteIds,
        directiveId: req.directiveId,
        drillId: req.drillId,
        scheduledAt: req.scheduledAt,
      });
    });
    const view = consultationView(entity);
    announceConsultation(this.bus, this.logger, view);
    return view;
  }

  async load(id: string): Promise<LoadedConsultation> {
    const entity = await this.dataSource.getRepository(ConsultationEntity).findOneBy({ id });
    if (!entity) throw new DomainError('not_found', 'consultation not found');
    const host = await this.dataSource.getRepository(SiteEntity).findOneByOrFail({ id: entity.hostSiteId });
    return {
      entity,
      scope: { hostSitePath: host.path, invitedSiteIds: entity.siteIds, state: entity.state },
    };
  }

  /** 404 rather than 403 for consultations the actor may not see: ids do not leak. */
  async loadVisible(actor: Actor, id: string): Promise<LoadedConsultation> {
    const c = await this.load(id);
    if (!canViewConsultation(actor, c.scope)) throw new DomainError('not_found', 'consultation not found');
    return c;
  }

  async loadForJoin(actor: Actor, id: string): Promise<LoadedConsultation & { moderator: boolean }> {
    const c = await this.loadVisible(actor, id);
    if (c.entity.state === 'ended') throw new DomainError('conflict', 'this consultation has ended');
    if (!canJoinConsultation(actor, c.scope))
      throw new DomainError('forbidden', 'your site is not invited to this consultation');
    return { ...c, moderator: canModerateConsultation(actor, c.scope) };
  }

  async loadForModerator(actor: Actor, id: string): Promise<LoadedConsultation> {
    const c = await this.loadVisible(actor, id);
    if (!canModerateConsultation(actor, c.scope))
      throw new DomainError('forbidden', 'only the hosting commander or dispatcher may do this');
    return c;
  }

  async list(actor: Actor, query: ListConsultationsQuery): Promise<ConsultationView[]> {
    // candidates: hosted in the actor's subtree, or inviting the actor's site; the domain rule decides
    const rows = (await this.dataSource.query(
      `SELECT c.id FROM consultations c JOIN sites h ON h.id = c.host_site_id
       WHERE ($1::text IS NULL OR c.state::text = $1)
         AND ($2 OR h.path LIKE $3 || '%' OR $4 = ANY(c.site_ids))
       ORDER BY c.created_at DESC LIMIT $5`,
      [query.state ?? null, actor.role === 'admin', actor.sitePath, actor.siteId, query.limit],
    )) as { id: string }[];
    const out: ConsultationView[] = [];
    for (const { id } of rows) {
      const c = await this.load(id);
      if (canViewConsultation(actor, c.scope)) out.push(consultationView(c.entity));
    }
    return out;
  }

  async detail(actor: Actor, id: string): Promise<ConsultationDetailView> {
    const { entity } = await this.loadVisible(actor, id);
    const attendance = await this.dataSource
      .getRepository(ConsultationAttendanceEntity)
      .find({ where: { consultationId: id }, order: { joinedAt: 'ASC' } });
    const recordings = await this.dataSource
      .getRepository(RecordingEntity)
      .find({ where: { consultationId: id }, order: { startedAt: 'ASC' } });
    return {
      ...consultationView(entity),
      attendance: attendance.map(attendanceView),
      rollCalls: await this.rollCalls(id),
      recordings: recordings.map(recordingView),
    };
  }

  async rollCalls(consultationId: string): Promise<RollCallView[]> {
    const calls = await this.dataSource
      .getRepository(RollCallEntity)
      .find({ where: { consultationId }, order: { startedAt: 'ASC' } });
    if (!calls.length) return [];
    const answers = await this.dataSource
      .getRepository(RollCallAnswerEntity)
      .findBy({ rollCallId: In(calls.map((c) => c.id)) });
    return calls.map((c) => rollCallView(c, answers));
  }

  async end(actor: Actor, id: string): Promise<ConsultationView> {
    await this.dataSource.transaction(async (tx) => {
      const res = await tx
        .getRepository(ConsultationEntity)
        .update({ id, state: Not('ended') }, { state: 'ended', endedAt: new Date() });
      if (res.affected) await this.record(actor, 'end', id, {}, tx);
    });
    return consultationView((await this.load(id)).entity);
  }

  async peerView(actor: Actor, peerId: string, moderator: boolean): Promise<SfuPeerView> {
    const rows = (await this.dataSource.query(
      `SELECT u.username, u.display_name, s.name FROM users u JOIN sites s ON s.id = u.site_id WHERE u.id = $1`,
      [actor.userId],
    )) as { username: string; display_name: string | null; name: string }[];
    const row = rows[0];
    return {
      peerId,
      userId: actor.userId,
      username: row?.display_name ?? row?.username ?? '',
      siteId: actor.siteId,
      siteName: row?.name ?? '',
      moderator,
    };
  }

  async joined(consultationId: string, actor: Actor): Promise<string> {
    const id = randomUUID();
    await this.dataSource.transaction(async (tx) => {
      await tx
        .getRepository(ConsultationAttendanceEntity)
        .insert({ id, consultationId, userId: actor.userId, siteId: actor.siteId, joinedAt: new Date() });
      await tx.query(`UPDATE consultations SET state = 'live' WHERE id = $1 AND state = 'scheduled'`, [
        consultationId,
      ]);
      await this.record(actor, 'join', consultationId, { attendanceId: id, siteId: actor.siteId }, tx);
    });
    return id;
  }

  async left(attendanceId: string, reason: string): Promise<void> {
    await this.dataSource
      .getRepository(ConsultationAttendanceEntity)
      .update({ id: attendanceId, leftAt: IsNull() }, { leftAt: new Date(), leftReason: reason });
  }

  async startRollCall(consultationId: string, actor: Actor, siteIds: string[]): Promise<RollCallEntity> {
    const repo = this.dataSource.getRepository(RollCallEntity);
    const open = await repo.findOneBy({ consultationId, closedAt: IsNull() });
    if (open) throw new DomainError('conflict', 'a roll call is already running; close it first');
    const entity = repo.create({
      id: randomUUID(),
      consultationId,
      startedBy: actor.userId,
      siteIds,
      startedAt: new Date(),
      closedAt: null,
    });
    await this.dataSource.transaction(async (tx) => {
      await tx.getRepository(RollCallEntity).insert(entity);
      await this.record(actor, 'rollcall.start', consultationId, { rollCallId: entity.id, siteIds }, tx);
    });
    return entity;
  }

  async openRollCall(consultationId: string): Promise<{ call: RollCallEntity; answered: string[] } | null> {
    const call = await this.dataSource
      .getRepository(RollCallEntity)
      .findOneBy({ consultationId, closedAt: IsNull() });
    if (!call) return null;
    const answers = await this.dataSource.getRepository(RollCallAnswerEntity).findBy({ rollCallId: call.id });
    return { call, answered: answers.map((a) => a.siteId) };
  }

  /** The first answer per site is the one on the record; a repeat is accepted and ignored. */
  async answerRollCall(
    consultationId: string,
    rollCallId: string,
    actor: Actor,
  ): Promise<{ answeredAt: Date; first: boolean }> {
    const call = await this.dataSource
      .getRepository(RollCallEntity)
      .findOneBy({ id: rollCallId, consultationId });
    if (!call) throw new DomainError('not_found', 'no such roll call in this consultation');
    if (call.closedAt) throw new DomainError('conflict', 'this roll call has closed');
    if (!call.siteIds.includes(actor.siteId))
      throw new DomainError('forbidden', 'your site is not called in this roll call');
    const rows = (await this.dataSource.query(
      `INSERT INTO consultation_roll_call_answers (roll_call_id, site_id, user_id) VALUES ($1, $2, $3)
       ON CONFLICT (roll_call_id, site_id) DO NOTHING RETURNING answered_at`,
      [rollCallId, actor.siteId, actor.userId],
    )) as { answered_at: Date }[];
    if (rows[0]) {
      // a roll-call answer also answers the site's open 查岗 video checks (handled by dispatch)
      await this.jobs.add<SpotCheckVideoAnswerJob>(
        SPOT_CHECK_JOBS.videoAnswer,
        { siteId: actor.siteId, userId: actor.userId, rollCallId, at: rows[0].answered_at.toISOString() },
        { key: `spotcheck-video:${rollCallId}:${actor.siteId}` },
      );
      return { answeredAt: rows[0].answered_at, first: true };
    }
    const existing = await this.dataSource
      .getRepository(RollCallAnswerEntity)
      .findOneByOrFail({ rollCallId, siteId: actor.siteId });
    return { answeredAt: existing.answeredAt, first: false };
  }

  async closeRollCall(consultationId: string, rollCallId: string, actor: Actor): Promise<RollCallView> {
    const find = async () => (await this.rollCalls(consultationId)).find((r) => r.id === rollCallId);
    const before = await find();
    if (!before) throw new DomainError('not_found', 'no such roll call in this consultation');
    await this.dataSource.transaction(async (tx) => {
      const res = await tx
        .getRepository(RollCallEntity)
        .update({ id: rollCallId, consultationId, closedAt: IsNull() }, { closedAt: new Date() });
      if (res.affected)
        await this.record(
          actor,
          'rollcall.close',
          consultationId,
          { rollCallId, missing: before.missing },
          tx,
        );
    });
    return (await find())!;
  }
}
