import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  MAX_TEAMS_PER_SITE,
  type CreateTeamRequest,
  type ListTeamsQuery,
  type TeamView,
  type UpdateTeamRequest,
} from '#contracts';
import { isInScope, scopePrefix, teamHeadcountDenial, teamWriteDenial, type Actor } from '#domain';
import { AuditStore } from '#persistence';
import { DomainError } from '#platform';
import { refuse } from '../../directives/shared/refuse.js';
import { TeamBudget } from './team-budget.js';
import { TeamsRepository, type TeamFields, type TeamRow } from './teams.repository.js';
import { toTeamView } from './views.js';

const fieldsOf = (t: TeamRow): TeamFields => ({
  name: t.name,
  kind: t.kind,
  leaderName: t.leader_name,
  leaderPhone: t.leader_phone,
  leaderUserId: t.leader_user_id,
  headcount: t.headcount,
  equipment: t.equipment,
  assembleMinutes: t.assemble_minutes,
  status: t.base_status,
  lastVerifiedAt: t.last_verified_at ? new Date(t.last_verified_at).toISOString() : null,
});

/**
 * 应急队伍 (docs/resources.md): create, edit, read. Admins and commanders keep the teams of
 * their subtree; dispatchers read (and alert, TeamAlertsService); a duty officer reads their
 * own site's. A team outside one's scope is 404, as if it did not exist.
 */
@Injectable()
export class TeamsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly teams: TeamsRepository,
    private readonly audit: AuditStore,
    private readonly budget: TeamBudget,
  ) {}

  async create(actor: Actor, req: CreateTeamRequest): Promise<TeamView> {
    const fields: TeamFields = {
      name: req.name,
      kind: req.kind,
      leaderName: req.leaderName,
      leaderPhone: req.leaderPhone,
      leaderUserId: req.leaderUserId ?? null,
      headcount: req.headcount,
      equipment: req.equipment,
      assembleMinutes: req.assembleMinutes,
      status: req.status,
      lastVerifiedAt: req.lastVerifiedAt ?? null,
    };
    await this.check(actor, req.siteId, fields);
    await this.budget.take(actor);
    const id = randomUUID();
    await this.dataSource.transaction(async (tx) => {
      await this.insert(tx, actor, id, req.siteId, fields);
    });
    return this.get(actor, id);
  }

  async list(actor: Actor, q: ListTeamsQuery): Promise<TeamView[]> {
    const rows = await this.teams.list({ scope: scopePrefix(actor), ...q });
    return rows.map(toTeamView);
  }

  async get(actor: Actor, id: string): Promise<TeamView> {
    return toTeamView(await this.load(actor, id));
  }

  async update(actor: Actor, id: string, req: UpdateTeamRequest): Promise<TeamView> {
    const seen = await this.load(actor, id);
    const fields = this.merged(seen, req);
    await this.check(actor, seen.site_id, fields, req.leaderUserId !== undefined);
    await this.budget.take(actor);
    await this.dataSource.transaction((tx) => this.change(tx, actor, id, req));
    return this.get(actor, id);
  }

  /** The rules every write checks before it costs anything (scope, headcount, leader account). */
  async check(actor: Actor, siteId: string, f: TeamFields, leaderChanged = true): Promise<void> {
    const site = await this.teams.site(siteId);
    refuse(teamWriteDenial(actor, site?.path ?? ''));
    // an unknown site gets the answer of one outside the scope (an admin's scope has no outside)
    if (!site)
      throw new DomainError('forbidden', 'siteId: outside your scope', [
        { path: 'siteId', message: 'outside your scope' },
      ]);
    refuse(teamHeadcountDenial(f.kind, f.headcount));
    if (leaderChanged && f.leaderUserId && !(await this.teams.isUserOfSite(f.leaderUserId, siteId)))
      throw new DomainError('invalid', "leaderUserId: not an enabled user of the team's site", [
        { path: 'leaderUserId', message: "not an enabled user of the team's site" },
      ]);
  }

  /** Inside the caller's transaction: the site's bound, the name, the row and its audit entry. */
  async insert(tx: EntityManager, actor: Actor, id: string, siteId: string, f: TeamFields): Promise<void> {
    if ((await this.teams.countAtSite(tx, siteId)) >= MAX_TEAMS_PER_SITE)
      throw new DomainError(
        'conflict',
        `the site already has ${MAX_TEAMS_PER_SITE} teams, the most it may keep`,
      );
    await this.uniqueName(tx, siteId, f.name, null);
    await this.teams.insert(tx, id, siteId, actor.userId, f);
    await this.audit.append(
      {
        actorId: actor.userId,
        action: 'team.create',
        subjectType: 'team',
        subjectId: id,
        data: { siteId, ...f },
      },
      tx,
    );
  }

  /** Inside the caller's transaction: re-read under the row's lock, apply, audit. */
  async change(tx: EntityManager, actor: Actor, id: string, req: UpdateTeamRequest): Promise<void> {
    const t = await this.teams.find(id, tx, true);
    if (!t) throw new DomainError('not_found', `team ${id} does not exist`);
    const f = this.merged(t, req);
    refuse(teamHeadcountDenial(f.kind, f.headcount));
    if (req.name !== undefined && req.name.toLowerCase() !== t.name.toLowerCase()) {
      await tx.query(`SELECT id FROM sites WHERE id = $1 FOR UPDATE`, [t.site_id]);
      await this.uniqueName(tx, t.site_id, f.name, id);
    }
    await this.teams.update(tx, id, f);
    // a status set by hand ends the open alert: it no longer decides the team's status
    if (req.status) await this.teams.releaseTeam(tx, id);
    await this.audit.append(
      { actorId: actor.userId, action: 'team.update', subjectType: 'team', subjectId: id, data: { ...req } },
      tx,
    );
  }

  merged(t: TeamRow, req: UpdateTeamRequest): TeamFields {
    const f = fieldsOf(t);
    return {
      ...f,
      ...Object.fromEntries(Object.entries(req).filter(([, v]) => v !== undefined)),
    } as TeamFields;
  }

  private async uniqueName(tx: EntityManager, siteId: string, name: string, self: string | null) {
    const other = await this.teams.findByName(tx, siteId, name);
    if (other && other.id !== self)
      throw new DomainError('conflict', `name: the site already has a team named ${name}`, [
        { path: 'name', message: 'the site already has a team with this name' },
      ]);
  }

  /** Unknown and unreachable teams are both 404. */
  async load(actor: Actor, id: string): Promise<TeamRow> {
    const t = await this.teams.find(id);
    if (!t || !isInScope(actor, t.site_path)) throw new DomainError('not_found', `team ${id} does not exist`);
    return t;
  }
}
