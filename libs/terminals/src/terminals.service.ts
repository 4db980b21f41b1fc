import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type {
  CreateTerminalRequest,
  TerminalCredentials,
  TerminalMessageState,
  TerminalTestCallRequest,
  TerminalView,
} from '#contracts';
import { isInScope, type Actor } from '#domain';
import { AuditStore, SiteEntity, TerminalEntity } from '#persistence';
import { DomainError, EventBus } from '#platform';
import { hashTerminalSecret, newTerminalSecret } from './secret-hash.js';
import { TERMINALS_CHANGED, type TerminalsChanged } from './terminal-events.js';
import { TerminalOutbox } from './terminal-outbox.js';
import { TerminalsRepository } from './terminals.repository.js';

export function newTerminalId(): string {
  return `t${randomBytes(10).toString('hex')}`;
}

export function toTerminalView(t: TerminalEntity): TerminalView {
  return {
    id: t.id,
    name: t.name,
    siteId: t.siteId,
    kind: t.kind,
    talkgroup: t.talkgroup,
    revoked: t.revokedAt !== null,
    presence: t.revokedAt ? 'offline' : t.presence,
    telemetry: t.telemetry,
    lastSeenAt: t.lastSeenAt?.toISOString() ?? null,
    createdAt: t.createdAt.toISOString(),
  };
}

/** how many of a terminal's messages its history shows */
const MESSAGE_HISTORY = 200;

export interface TerminalMessageView {
  messageId: string;
  directiveId: string;
  state: TerminalMessageState;
  createdAt: string;
  receivedAt: string | null;
  acknowledgedAt: string | null;
  expiresAt: string | null;
}

/** Provisioning: terminals are created, rotated and revoked here; the bridge follows by bus. */
@Injectable()
export class TerminalsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly terminals: TerminalsRepository,
    private readonly audit: AuditStore,
    private readonly outbox: TerminalOutbox,
    @Inject(EventBus) private readonly bus: EventBus,
  ) {}

  private async siteInScope(actor: Actor, siteId: string): Promise<SiteEntity> {
    const site = await this.dataSource.getRepository(SiteEntity).findOneBy({ id: siteId });
    if (!site) throw new DomainError('not_found', `site ${siteId} does not exist`);
    if (!isInScope(actor, site.path))
      throw new DomainError('forbidden', `site ${siteId} is outside your scope`);
    return site;
  }

  private async terminalInScope(actor: Actor, id: string): Promise<TerminalEntity> {
    const terminal = await this.dataSource.getRepository(TerminalEntity).findOneBy({ id });
    if (!terminal) throw new DomainError('not_found', `terminal ${id} does not exist`);
    await this.siteInScope(actor, terminal.siteId).catch((err: unknown) => {
      if (err instanceof DomainError && err.code === 'forbidden') {
        throw new DomainError('forbidden', `terminal ${id} is outside your scope`);
      }
      throw err;
    });
    return terminal;
  }

  async create(actor: Actor, req: CreateTerminalRequest): Promise<TerminalCredentials> {
    await this.siteInScope(actor, req.siteId);
    if (req.talkgroup && req.kind !== 'radio') {
      throw new DomainError('invalid', 'talkgroup: only a radio gateway has a talkgroup', [
        { path: 'talkgroup', message: 'only a radio gateway has a talkgroup' },
      ]);
    }
    const id = newTerminalId();
    const secret = newTerminalSecret();
    await this.dataSource.transaction(async (tx) => {
      const repo = tx.getRepository(TerminalEntity);
      await repo.insert(
        repo.create({
          id,
          name: req.name,
          siteId: req.siteId,
          kind: req.kind,
          talkgroup: req.talkgroup ?? null,
          secretHash: hashTerminalSecret(secret),
        }),
      );
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'terminal.create',
          subjectType: 'terminal',
          subjectId: id,
          data: { name: req.name, siteId: req.siteId, kind: req.kind, talkgroup: req.talkgroup ?? null },
        },
        tx,
      );
    });
    await this.changed(id, false);
    return { id, secret };
  }

  async rotate(actor: Actor, id: string): Promise<TerminalCredentials> {
    const terminal = await this.terminalInScope(actor, id);
    if (terminal.revokedAt)
      throw new DomainError('conflict', `terminal ${id} is revoked; provision a new one`);
    const secret = newTerminalSecret();
    await this.dataSource.transaction(async (tx) => {
      await tx.getRepository(TerminalEntity).update({ id }, { secretHash: hashTerminalSecret(secret) });
      await this.audit.append(
        { actorId: actor.userId, action: 'terminal.rotate', subjectType: 'terminal', subjectId: id },
        tx,
      );
    });
    await this.changed(id, false, true);
    return { id, secret };
  }

  async revoke(actor: Actor, id: string): Promise<TerminalView> {
    const terminal = await this.terminalInScope(actor, id);
    if (!terminal.revokedAt) {
      await this.dataSource.transaction(async (tx) => {
        await tx.getRepository(TerminalEntity).update({ id }, { revokedAt: new Date(), presence: 'offline' });
        await this.audit.append(
          { actorId: actor.userId, action: 'terminal.revoke', subjectType: 'terminal', subjectId: id },
          tx,
        );
      });
      await this.changed(id, true);
    }
    return toTerminalView((await this.dataSource.getRepository(TerminalEntity).findOneByOrFail({ id }))!);
  }

  async list(actor: Actor, siteId?: string): Promise<TerminalView[]> {
    const qb = this.dataSource
      .getRepository(TerminalEntity)
      .createQueryBuilder('t')
      .innerJoin(SiteEntity, 's', 's.id = t.site_id')
      .orderBy('t.created_at')
      .addOrderBy('t.id');
    if (actor.role !== 'admin') qb.andWhere('s.path LIKE :prefix', { prefix: `${actor.sitePath}%` });
    if (siteId) qb.andWhere('t.site_id = :siteId', { siteId });
    return (await qb.getMany()).map(toTerminalView);
  }

  async get(actor: Actor, id: string): Promise<TerminalView> {
    return toTerminalView(await this.terminalInScope(actor, id));
  }

  async messages(actor: Actor, id: string): Promise<TerminalMessageView[]> {
    await this.terminalInScope(actor, id);
    const rows = await this.terminals.recentMessages(id, MESSAGE_HISTORY);
    return rows.map((r) => ({
      messageId: r.id,
      directiveId: r.directive_id,
      state: r.state,
      createdAt: r.created_at.toISOString(),
      receivedAt: r.received_at?.toISOString() ?? null,
      acknowledgedAt: r.acknowledged_at?.toISOString() ?? null,
      expiresAt: r.expires_at?.toISOString() ?? null,
    }));
  }

  /** 测试呼叫: a drill message to the terminals of some sites, to check they answer. */
  async testCall(
    actor: Actor,
    req: TerminalTestCallRequest,
  ): Promise<{ directiveId: string; terminals: number }> {
    for (const siteId of new Set(req.siteIds)) await this.siteInScope(actor, siteId);
    const directiveId = TerminalOutbox.newDirectiveId();
    const issuedAt = new Date();
    const terminals = await this.dataSource.transaction(async (tx) => {
      const added = await this.outbox.enqueue(
        {
          directiveId,
          serial: `TEST-${issuedAt.toISOString().replace(/\D/g, '').slice(0, 14)}`,
          title: req.title,
          body: req.body,
          level: 'none',
          issuedAt,
          expiresAt: new Date(issuedAt.getTime() + req.ttlSeconds * 1000),
          drill: true,
        },
        req.siteIds,
        { tx },
      );
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'terminal.test_call',
          subjectType: 'terminal_test_call',
          subjectId: directiveId,
          data: { siteIds: req.siteIds, title: req.title, terminals: added },
        },
        tx,
      );
      return added;
    });
    await this.outbox.notify(directiveId);
    return { directiveId, terminals };
  }

  private async changed(id: string, revoked: boolean, rotated = false): Promise<void> {
    await this.bus.publish<TerminalsChanged>(TERMINALS_CHANGED, {
      id,
      revoked,
      ...(rotated ? { rotated } : {}),
    });
  }
}
