import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CreateTeamRequest, TeamImportResult, UpdateTeamRequest } from '#contracts';
import { readTeamsCsv, scopePrefix, teamsCsv, type Actor } from '#domain';
import { DomainError } from '#platform';
import { TeamBudget } from './team-budget.js';
import { TeamsRepository, type TeamFields, type TeamRow } from './teams.repository.js';
import { TeamsService } from './teams.service.js';
import { toTeamView } from './views.js';

/** What the export holds at most: more than any county keeps (MAX_TEAM_IMPORT_ROWS reads back). */
const EXPORT_MAX = 5000;

/** A refused row: 400 naming its line (the message in zh-CN, as the CSV's header). */
const lineError = (line: number, message: string) =>
  new DomainError('invalid', `line ${line}: ${message}`, [{ path: `line ${line}`, message }]);

/** The rules a row can break once its fields are well-formed, in the CSV's language (zh-CN). */
const ROW_RULES: Record<string, string> = {
  siteId: '单位不在您的管辖范围内',
  headcount: '村级突击队人数不少于30人',
  leaderUserId: '队长账号须为本单位的有效用户',
  name: '本单位已有同名队伍',
};

const fieldsOf = (r: CreateTeamRequest): TeamFields => ({
  name: r.name,
  kind: r.kind,
  leaderName: r.leaderName,
  leaderPhone: r.leaderPhone,
  leaderUserId: r.leaderUserId ?? null,
  headcount: r.headcount,
  equipment: r.equipment,
  assembleMinutes: r.assembleMinutes,
  status: r.status,
  lastVerifiedAt: r.lastVerifiedAt ?? null,
});

/** Only what differs, so re-importing an export changes nothing (and ends no alert). */
function changesOf(t: TeamRow, r: CreateTeamRequest): UpdateTeamRequest {
  const c: Record<string, unknown> = {};
  if (r.name !== t.name) c.name = r.name;
  if (r.kind !== t.kind) c.kind = r.kind;
  if (r.leaderName !== t.leader_name) c.leaderName = r.leaderName;
  if (r.leaderPhone !== t.leader_phone) c.leaderPhone = r.leaderPhone;
  if ((r.leaderUserId ?? null) !== t.leader_user_id) c.leaderUserId = r.leaderUserId ?? null;
  if (r.headcount !== t.headcount) c.headcount = r.headcount;
  if (JSON.stringify(r.equipment) !== JSON.stringify(t.equipment)) c.equipment = r.equipment;
  if (r.assembleMinutes !== t.assemble_minutes) c.assembleMinutes = r.assembleMinutes;
  if (r.status !== t.base_status) c.status = r.status;
  const verified = r.lastVerifiedAt ? Date.parse(r.lastVerifiedAt) : null;
  if (verified !== (t.last_verified_at ? new Date(t.last_verified_at).getTime() : null))
    c.lastVerifiedAt = r.lastVerifiedAt ?? null;
  return c as UpdateTeamRequest;
}

/**
 * `GET /teams.csv` and `POST /teams/import` (docs/resources.md). An import is all or
 * nothing: every row is read and checked (the REST rules, scope, the 村级突击队 headcount)
 * before one transaction writes them, and a fault there too names its line. A row whose
 * site already has a team of that name updates it; any other row creates one.
 */
@Injectable()
export class TeamImport {
  constructor(
    private readonly dataSource: DataSource,
    private readonly teams: TeamsRepository,
    private readonly service: TeamsService,
    private readonly budget: TeamBudget,
  ) {}

  async exportCsv(actor: Actor): Promise<string> {
    const rows = await this.teams.list({ scope: scopePrefix(actor), limit: EXPORT_MAX, offset: 0 });
    return teamsCsv(rows.map(toTeamView));
  }

  async importCsv(actor: Actor, text: string): Promise<TeamImportResult> {
    const read = readTeamsCsv(text);
    if (!read.ok) throw lineError(read.issue.line, read.issue.message);
    for (const { line, request } of read.rows) {
      try {
        await this.service.check(actor, request.siteId, fieldsOf(request));
      } catch (err) {
        throw this.atLine(line, err);
      }
    }
    await this.budget.take(actor);
    return this.dataSource.transaction(async (tx) => {
      const result: TeamImportResult = { created: 0, updated: 0 };
      for (const { line, request } of read.rows) {
        try {
          const existing = await this.teams.findByName(tx, request.siteId, request.name);
          if (!existing) {
            await this.service.insert(tx, actor, randomUUID(), request.siteId, fieldsOf(request));
            result.created++;
            continue;
          }
          const row = await this.teams.find(existing.id, tx, true);
          const changes = changesOf(row!, request);
          if (Object.keys(changes).length === 0) continue;
          await this.service.change(tx, actor, existing.id, changes);
          result.updated++;
        } catch (err) {
          throw this.atLine(line, err);
        }
      }
      return result;
    });
  }

  /** A rule's refusal of one row, as the 400 naming its line (nothing is imported). */
  private atLine(line: number, err: unknown): Error {
    if (!(err instanceof DomainError) || err.code === 'rate_limited') return err as Error;
    const path = err.fields?.[0]?.path;
    const detail =
      (path && ROW_RULES[path]) ?? (err.code === 'conflict' ? '本单位队伍数量已达上限' : err.message);
    return lineError(line, `第${line}行：${detail}`);
  }
}
