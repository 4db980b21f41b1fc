import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { CONSULTATION_INVITED_CHANNEL, type ConsultationView } from '#contracts';
import { ConsultationEntity, type AuditStore } from '#persistence';
import type { EventBus } from '../bus/event-bus.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function consultationView(c: ConsultationEntity): ConsultationView {
  return {
    id: c.id,
    title: c.title,
    state: c.state,
    hostSiteId: c.hostSiteId,
    createdBy: c.createdBy,
    siteIds: c.siteIds,
    directiveId: c.directiveId,
    drillId: c.drillId ?? null,
    drill: !!c.drillId,
    scheduledAt: iso(c.scheduledAt),
    createdAt: c.createdAt.toISOString(),
    endedAt: iso(c.endedAt),
  };
}

export interface NewConsultation {
  actor: { userId: string; siteId: string };
  title: string;
  siteIds: string[];
  directiveId?: string | null;
  drillId?: string | null;
  scheduledAt?: string;
}

/**
 * The record of a new consultation (视频会商): the row and its `consultation.create` audit in
 * the caller's transaction. Shared by the SFU app (POST /consultations) and the dispatch app
 * (a response's consultation, docs/plans.md); the callers check scope first. Publish the
 * invitation with `announceConsultation` after the commit.
 */
export async function recordConsultation(
  tx: EntityManager,
  audit: AuditStore,
  c: NewConsultation,
): Promise<ConsultationEntity> {
  const entity = tx.getRepository(ConsultationEntity).create({
    id: randomUUID(),
    title: c.title,
    state: 'scheduled',
    hostSiteId: c.actor.siteId,
    createdBy: c.actor.userId,
    siteIds: c.siteIds,
    directiveId: c.directiveId ?? null,
    drillId: c.drillId ?? null,
    scheduledAt: c.scheduledAt ? new Date(c.scheduledAt) : null,
    createdAt: new Date(),
    endedAt: null,
  });
  await tx.getRepository(ConsultationEntity).insert(entity);
  await audit.append(
    {
      actorId: c.actor.userId,
      action: 'consultation.create',
      subjectType: 'consultation',
      subjectId: entity.id,
      data: {
        title: c.title,
        siteIds: c.siteIds,
        directiveId: entity.directiveId,
        scheduledAt: c.scheduledAt,
        ...(c.drillId ? { drillId: c.drillId } : {}),
      },
    },
    tx,
  );
  return entity;
}

/**
 * The invited duty consoles hear of it at once (dispatch forwards it on their socket); a
 * lost message only costs the console's fallback poll.
 */
export function announceConsultation(bus: EventBus, logger: Logger, view: ConsultationView): void {
  bus
    .publish(CONSULTATION_INVITED_CHANNEL, view)
    .catch((err: unknown) => logger.warn({ err, id: view.id }, 'consultation invitation not published'));
}
