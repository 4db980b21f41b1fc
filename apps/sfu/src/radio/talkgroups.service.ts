import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  RADIO_BUS,
  type RadioCmdMessage,
  type CreateTalkgroupRequest,
  type TalkgroupView,
  type TransmissionView,
  type UpdateTalkgroupRequest,
} from '#contracts';
import { canUseTalkgroup, gatewayDenial, talkgroupManageDenial, type Actor } from '#domain';
import { AuditStore } from '#persistence';
import { AppConfig, DomainError, EventBus } from '#platform';
import { RadioFloorService } from './radio-floor.service.js';
import { RadioStateStore } from './radio-state.store.js';
import { TalkgroupsRepository, type TalkgroupRow } from './talkgroups.repository.js';
import { floorView, transmissionView } from './views.js';

/** bus channel: a talkgroup was created, changed or deleted; the host re-reads its members */
export const TALKGROUP_CHANGED = 'radio.talkgroup.changed';
/** bus channel: a gateway's inhibit flags changed; the host applies them to its leg */
export const GATEWAY_INHIBIT = 'radio.gateway.inhibit';
export interface GatewayInhibitNotice {
  talkgroupId: string;
  terminalId: string;
  tx: boolean;
  rx: boolean;
}

/** Talkgroups as records: who may see and change them, their gateways, their transmissions. */
@Injectable()
export class TalkgroupsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: TalkgroupsRepository,
    private readonly audit: AuditStore,
    private readonly state: RadioStateStore,
    private readonly bus: EventBus,
    private readonly floor: RadioFloorService,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  record(actor: Actor | null, action: string, id: string, data: Record<string, unknown>, m?: EntityManager) {
    return this.audit.append(
      {
        actorId: actor?.userId ?? null,
        action: `radio.${action}`,
        subjectType: 'talkgroup',
        subjectId: id,
        data,
      },
      m,
    );
  }

  /** 404 when it does not exist, 403 when it is outside the actor's reach. */
  async loadVisible(actor: Actor, id: string): Promise<TalkgroupRow> {
    const tg = await this.repo.get(id);
    if (!tg) throw new DomainError('not_found', `talkgroup ${id} does not exist`);
    if (!canUseTalkgroup(actor, { id: tg.site_id, path: tg.site_path }))
      throw new DomainError('forbidden', `talkgroup ${id} is outside your scope`);
    return tg;
  }

  async loadManaged(actor: Actor, id: string): Promise<TalkgroupRow> {
    const tg = await this.loadVisible(actor, id);
    const denial = talkgroupManageDenial(actor, { id: tg.site_id, path: tg.site_path });
    if (denial) throw new DomainError('forbidden', denial);
    return tg;
  }

  /** Each gateway must be a radio terminal in scope, under the talkgroup's site, in no other talkgroup. */
  private async checkGateways(
    actor: Actor,
    site: { id: string; path: string },
    ids: string[],
    self?: string,
  ) {
    const unique = [...new Set(ids)];
    if (unique.length > this.config.raw.RADIO_GATEWAYS_PER_TALKGROUP)
      throw new DomainError(
        'too_large',
        `gatewayIds: at most ${this.config.raw.RADIO_GATEWAYS_PER_TALKGROUP} gateways per talkgroup (RADIO_GATEWAYS_PER_TALKGROUP)`,
        [{ path: 'gatewayIds', message: 'too many gateways' }],
      );
    const rows = new Map((await this.repo.gateways(unique)).map((g) => [g.id, g]));
    for (const id of unique) {
      const g = rows.get(id);
      if (!g)
        throw new DomainError('invalid', `gatewayIds: terminal ${id} does not exist`, [
          { path: 'gatewayIds', message: 'unknown_terminal' },
        ]);
      const denial = gatewayDenial(actor, site, { kind: g.kind, revoked: g.revoked, sitePath: g.site_path });
      if (denial === 'out_of_scope')
        throw new DomainError('forbidden', `gatewayIds: terminal ${id} is outside your scope`, [
          { path: 'gatewayIds', message: denial },
        ]);
      if (denial)
        throw new DomainError('invalid', `gatewayIds: terminal ${id} cannot join (${denial})`, [
          { path: 'gatewayIds', message: denial },
        ]);
      if (g.talkgroup_id && g.talkgroup_id !== self)
        throw new DomainError(
          'conflict',
          `gatewayIds: gateway ${id} is already in talkgroup ${g.talkgroup_id}`,
          [{ path: 'gatewayIds', message: 'in_other_talkgroup' }],
        );
    }
    return unique;
  }

  async create(actor: Actor, req: CreateTalkgroupRequest): Promise<TalkgroupView> {
    const site = await this.repo.site(req.siteId);
    if (!site)
      throw new DomainError('invalid', `siteId: unknown site ${req.siteId}`, [
        { path: 'siteId', message: 'unknown_site' },
      ]);
    const denial = talkgroupManageDenial(actor, site);
    if (denial) throw new DomainError('forbidden', denial);
    const gatewayIds = await this.checkGateways(actor, site, req.gatewayIds);
    const id = randomUUID();
    const codec = req.codec ?? 'PCMA';
    await this.dataSource.transaction(async (tx) => {
      await this.repo.insert({ id, name: req.name, siteId: site.id, codec, createdBy: actor.userId }, tx);
      await this.repo.setMembers(id, gatewayIds, tx).catch((err: unknown) => this.raceToConflict(err));
      await this.record(
        actor,
        'talkgroup.create',
        id,
        { name: req.name, siteId: site.id, codec, gatewayIds },
        tx,
      );
    });
    await this.changed(id);
    return this.view(actor, id);
  }

  async update(actor: Actor, id: string, req: UpdateTalkgroupRequest): Promise<TalkgroupView> {
    const tg = await this.loadManaged(actor, id);
    const site = { id: tg.site_id, path: tg.site_path };
    const gatewayIds = req.gatewayIds ? await this.checkGateways(actor, site, req.gatewayIds, id) : undefined;
    await this.dataSource.transaction(async (tx) => {
      await this.repo.update(id, { name: req.name, codec: req.codec }, tx);
      if (gatewayIds)
        await this.repo.setMembers(id, gatewayIds, tx).catch((err: unknown) => this.raceToConflict(err));
      await this.record(actor, 'talkgroup.update', id, { ...req }, tx);
    });
    await this.changed(id);
    return this.view(actor, id);
  }

  async remove(actor: Actor, id: string): Promise<void> {
    await this.loadManaged(actor, id);
    await this.dataSource.transaction(async (tx) => {
      await this.repo.softDelete(id, tx);
      await this.record(actor, 'talkgroup.delete', id, {}, tx);
    });
    await this.changed(id);
  }

  /** two requests adding one gateway to two talkgroups at once: the key decides, as a 409 */
  private raceToConflict(err: unknown): never {
    if ((err as { driverError?: { code?: string } }).driverError?.code === '23505')
      throw new DomainError('conflict', 'gatewayIds: a gateway was just added to another talkgroup', [
        { path: 'gatewayIds', message: 'in_other_talkgroup' },
      ]);
    throw err;
  }

  private changed(id: string): Promise<void> {
    return this.bus.publish(TALKGROUP_CHANGED, { talkgroupId: id });
  }

  /** Remote inhibit: the gateway is told, and the hub stops relaying from (tx) and to (rx) it. */
  async inhibit(
    actor: Actor,
    id: string,
    terminalId: string,
    flags: { tx: boolean; rx: boolean },
  ): Promise<TalkgroupView> {
    await this.loadManaged(actor, id);
    const found = await this.dataSource.transaction(async (tx) => {
      if (!(await this.repo.setInhibit(id, terminalId, flags, tx))) return false;
      await this.record(actor, 'gateway.inhibit', id, { terminalId, ...flags }, tx);
      return true;
    });
    if (!found) throw new DomainError('not_found', `gateway ${terminalId} is not in talkgroup ${id}`);
    await this.bus.publish<GatewayInhibitNotice>(GATEWAY_INHIBIT, { talkgroupId: id, terminalId, ...flags });
    await this.bus.publish<RadioCmdMessage>(RADIO_BUS.cmd, {
      // a fresh id: the bridges claim commands by it, so a repeated command is not taken for a copy
      id: randomUUID(),
      terminalId,
      cmd: { type: 'inhibit', ...flags },
    });
    const s = await this.floor.floor(id);
    if (flags.tx && s.holder?.talker.kind === 'gateway' && s.holder.talker.id === terminalId)
      await this.floor.cut(id, s.holder.transmissionId, 'inhibited');
    return this.view(actor, id);
  }

  /** Patch two talkgroups: whoever holds one's floor is heard on the other too. */
  async patch(actor: Actor, id: string, other: string, on: boolean): Promise<TalkgroupView> {
    if (id === other)
      throw new DomainError('invalid', 'with: a talkgroup cannot be patched to itself', [
        { path: 'with', message: 'self' },
      ]);
    const a = await this.loadManaged(actor, id);
    const b = await this.loadManaged(actor, other);
    // mediasoup forwards and never transcodes: PCMA cannot be heard on an Opus talkgroup
    if (on && a.codec !== b.codec)
      throw new DomainError('invalid', `with: talkgroup ${other} uses ${b.codec}, this one ${a.codec}`, [
        { path: 'with', message: 'codec_mismatch' },
      ]);
    const changed = await this.dataSource.transaction(async (tx) => {
      const done = on
        ? await this.repo.addPatch(id, other, actor.userId, tx)
        : await this.repo.removePatch(id, other, tx);
      if (done)
        await this.record(actor, on ? 'talkgroup.patch' : 'talkgroup.unpatch', id, { with: other }, tx);
      return done;
    });
    if (!changed && !on) throw new DomainError('not_found', `talkgroups ${id} and ${other} are not patched`);
    if (changed) {
      await this.changed(id);
      await this.changed(other);
    }
    return this.view(actor, id);
  }

  async list(actor: Actor): Promise<TalkgroupView[]> {
    const prefix = actor.role === 'admin' ? '/' : actor.sitePath;
    const rows = (await this.repo.list(prefix)).filter((t) =>
      canUseTalkgroup(actor, { id: t.site_id, path: t.site_path }),
    );
    return this.views(rows);
  }

  async view(actor: Actor, id: string): Promise<TalkgroupView> {
    const [view] = await this.views([await this.loadVisible(actor, id)]);
    return view!;
  }

  private async views(rows: TalkgroupRow[]): Promise<TalkgroupView[]> {
    if (!rows.length) return [];
    const members = await this.repo.members(rows.map((r) => r.id));
    const air = await this.state.gateways(members.map((m) => m.id));
    const floors = await Promise.all(rows.map((r) => this.state.floor(r.id)));
    const patches = await Promise.all(rows.map((r) => this.repo.patchesOf(r.id)));
    return rows.map((r, i) => {
      const gws = members.filter((m) => m.talkgroup_id === r.id);
      return {
        id: r.id,
        name: r.name,
        siteId: r.site_id,
        codec: r.codec,
        gatewayIds: gws.map((g) => g.id),
        gateways: gws.map((g) => ({
          id: g.id,
          name: g.name,
          online: g.presence === 'online' && !g.revoked,
          cor: air.get(g.id)?.cor ?? false,
          ptt: air.get(g.id)?.ptt ?? false,
        })),
        floor: floorView(floors[i]!),
        patchedWith: patches[i]!,
      };
    });
  }

  async transmissions(actor: Actor, id: string, limit: number): Promise<TransmissionView[]> {
    await this.loadVisible(actor, id);
    return (await this.repo.transmissions(id, limit)).map(transmissionView);
  }

  /** The transmission and its file path under DATA_DIR, if the actor may hear it. */
  async audio(actor: Actor, transmissionId: string): Promise<{ path: string; row: TransmissionView }> {
    const row = await this.repo.transmission(transmissionId);
    if (!row) throw new DomainError('not_found', `transmission ${transmissionId} does not exist`);
    await this.loadVisibleIncludingDeleted(actor, row.talkgroup_id);
    if (!row.audio_path)
      throw new DomainError(
        'not_found',
        `transmission ${transmissionId} has no recording (expired or never written)`,
      );
    return { path: row.audio_path, row: transmissionView(row) };
  }

  private async loadVisibleIncludingDeleted(actor: Actor, talkgroupId: string): Promise<void> {
    // recordings of a deleted talkgroup stay evidence: scope is still checked by its site
    const tg = await this.repo.get(talkgroupId);
    if (tg) {
      await this.loadVisible(actor, talkgroupId);
      return;
    }
    if (actor.role !== 'admin') throw new DomainError('not_found', `talkgroup ${talkgroupId} does not exist`);
  }
}
