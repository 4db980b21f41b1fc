import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { TeamKind, TeamStatus } from '#contracts';

export interface TeamRow {
  id: string;
  name: string;
  kind: TeamKind;
  site_id: string;
  site_name: string;
  site_path: string;
  leader_name: string;
  leader_phone: string;
  leader_user_id: string | null;
  headcount: number;
  equipment: string[];
  assemble_minutes: number;
  /** what a person set */
  base_status: 'available' | 'unavailable';
  /** derived (teamStatus in libs/domain/src/teams.ts, mirrored by STATUS below) */
  status: TeamStatus;
  last_verified_at: Date | null;
  created_at: Date;
  updated_at: Date;
  alert_id: string | null;
  alert_directive_id: string | null;
  alert_response_id: string | null;
  alert_drill_id: string | null;
  alert_incident_id: string | null;
  alert_created_at: Date | null;
  alert_released_at: Date | null;
}

export interface TeamFields {
  name: string;
  kind: TeamKind;
  leaderName: string;
  leaderPhone: string;
  leaderUserId: string | null;
  headcount: number;
  equipment: string[];
  assembleMinutes: number;
  status: 'available' | 'unavailable';
  lastVerifiedAt: string | null;
}

export interface AlertRow {
  id: string;
  team_id: string;
  directive_id: string;
  created_at: Date;
  released_at: Date | null;
}

export interface NewTeamAlert {
  id: string;
  teamId: string;
  directiveId: string;
  siteId: string;
  responseId: string | null;
  drillId: string | null;
  incidentId: string | null;
  createdBy: string;
}

/**
 * The status of teamStatus (libs/domain/src/teams.ts) in SQL, so a list can filter on it;
 * the integration spec reads both ways. `a` is the team's latest alert, `r` its recipient row.
 */
const STATUS = `CASE
    WHEN t.status = 'unavailable' THEN 'unavailable'
    WHEN a.id IS NULL OR a.released_at IS NOT NULL OR d.status <> 'issued' THEN 'available'
    WHEN r.state = 'completed' THEN 'available'
    WHEN r.state = 'acknowledged' THEN 'deployed'
    ELSE 'alerted' END`;

const FROM = `teams t
  JOIN sites s ON s.id = t.site_id
  LEFT JOIN LATERAL (SELECT * FROM team_alerts x WHERE x.team_id = t.id
                     ORDER BY x.created_at DESC, x.id DESC LIMIT 1) a ON true
  LEFT JOIN directives d ON d.id = a.directive_id
  LEFT JOIN directive_recipients r ON r.directive_id = a.directive_id AND r.site_id = a.site_id`;

const TEAM = `t.id, t.name, t.kind, t.site_id, s.name AS site_name, s.path AS site_path, t.leader_name,
  t.leader_phone, t.leader_user_id, t.headcount, t.equipment, t.assemble_minutes,
  t.status AS base_status, ${STATUS} AS status, t.last_verified_at, t.created_at, t.updated_at,
  a.id AS alert_id, a.directive_id AS alert_directive_id, a.response_id AS alert_response_id,
  a.drill_id AS alert_drill_id, a.incident_id AS alert_incident_id, a.created_at AS alert_created_at,
  a.released_at AS alert_released_at`;

export interface TeamFilter {
  scope: string;
  status?: TeamStatus;
  kind?: TeamKind;
  siteId?: string;
  limit: number;
  offset: number;
}

/** Teams and their alerts (SQL only here). */
@Injectable()
export class TeamsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(id: string, tx?: EntityManager, lock = false): Promise<TeamRow | null> {
    const runner = tx ?? this.dataSource;
    if (lock) await runner.query(`SELECT id FROM teams WHERE id = $1 FOR UPDATE`, [id]);
    const [row] = (await runner.query(`SELECT ${TEAM} FROM ${FROM} WHERE t.id = $1`, [id])) as TeamRow[];
    return row ?? null;
  }

  async findMany(ids: string[]): Promise<TeamRow[]> {
    return (await this.dataSource.query(`SELECT ${TEAM} FROM ${FROM} WHERE t.id = ANY($1::uuid[])`, [
      ids,
    ])) as TeamRow[];
  }

  /** Teams of the sites within `scope`, by site then name. */
  async list(f: TeamFilter): Promise<TeamRow[]> {
    const where = [`s.path LIKE $1 || '%'`];
    const params: unknown[] = [f.scope];
    if (f.kind) where.push(`t.kind = $${params.push(f.kind)}`);
    if (f.siteId) where.push(`t.site_id = $${params.push(f.siteId)}`);
    if (f.status) where.push(`${STATUS} = $${params.push(f.status)}`);
    return (await this.dataSource.query(
      `SELECT ${TEAM} FROM ${FROM} WHERE ${where.join(' AND ')}
       ORDER BY s.path, t.name, t.id LIMIT $${params.push(f.limit)} OFFSET $${params.push(f.offset)}`,
      params,
    )) as TeamRow[];
  }

  /** The team of that site with that name (case-insensitive, as the unique index), if any. */
  async findByName(tx: EntityManager, siteId: string, name: string): Promise<{ id: string } | null> {
    const [row] = (await tx.query(`SELECT id FROM teams WHERE site_id = $1 AND lower(name) = lower($2)`, [
      siteId,
      name,
    ])) as { id: string }[];
    return row ?? null;
  }

  async countAtSite(tx: EntityManager, siteId: string): Promise<number> {
    // the site row's lock serialises two creates racing for the last place
    await tx.query(`SELECT id FROM sites WHERE id = $1 FOR UPDATE`, [siteId]);
    const [row] = (await tx.query(`SELECT count(*)::int AS n FROM teams WHERE site_id = $1`, [siteId])) as {
      n: number;
    }[];
    return row!.n;
  }

  async insert(
    tx: EntityManager,
    id: string,
    siteId: string,
    createdBy: string,
    f: TeamFields,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO teams (id, name, kind, site_id, leader_name, leader_phone, leader_user_id, headcount,
         equipment, assemble_minutes, status, last_verified_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $13)`,
      [
        id,
        f.name,
        f.kind,
        siteId,
        f.leaderName,
        f.leaderPhone,
        f.leaderUserId,
        f.headcount,
        JSON.stringify(f.equipment),
        f.assembleMinutes,
        f.status,
        f.lastVerifiedAt,
        createdBy,
      ],
    );
  }

  async update(tx: EntityManager, id: string, f: TeamFields): Promise<void> {
    await tx.query(
      `UPDATE teams SET name = $2, kind = $3, leader_name = $4, leader_phone = $5, leader_user_id = $6,
         headcount = $7, equipment = $8::jsonb, assemble_minutes = $9, status = $10, last_verified_at = $11,
         updated_at = now()
       WHERE id = $1`,
      [
        id,
        f.name,
        f.kind,
        f.leaderName,
        f.leaderPhone,
        f.leaderUserId,
        f.headcount,
        JSON.stringify(f.equipment),
        f.assembleMinutes,
        f.status,
        f.lastVerifiedAt,
      ],
    );
  }

  /** The site, with its path (for the scope check) and name. */
  async site(id: string): Promise<{ id: string; name: string; path: string } | null> {
    const [row] = (await this.dataSource.query(`SELECT id, name, path FROM sites WHERE id = $1`, [id])) as {
      id: string;
      name: string;
      path: string;
    }[];
    return row ?? null;
  }

  /** True when the user exists, is enabled and belongs to the site. */
  async isUserOfSite(userId: string, siteId: string): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `SELECT 1 FROM users WHERE id = $1 AND site_id = $2 AND NOT disabled`,
      [userId, siteId],
    )) as unknown[];
    return rows.length > 0;
  }

  async insertAlert(tx: EntityManager, a: NewTeamAlert): Promise<void> {
    await tx.query(
      `INSERT INTO team_alerts (id, team_id, directive_id, site_id, response_id, drill_id, incident_id, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [a.id, a.teamId, a.directiveId, a.siteId, a.responseId, a.drillId, a.incidentId, a.createdBy],
    );
  }

  /** Ends a team's open alerts (a status set by hand). */
  async releaseTeam(tx: EntityManager, teamId: string): Promise<void> {
    await tx.query(
      `UPDATE team_alerts SET released_at = now(), released_reason = 'manual'
       WHERE team_id = $1 AND released_at IS NULL`,
      [teamId],
    );
  }

  /** Ends the open alerts a response made; the teams they name. */
  async releaseResponse(responseId: string): Promise<{ team_id: string; id: string }[]> {
    return (await this.dataSource.query(
      // a CTE, so the driver answers rows (a bare UPDATE … RETURNING comes back with a row count)
      `WITH u AS (UPDATE team_alerts SET released_at = now(), released_reason = 'response-end'
                  WHERE response_id = $1 AND released_at IS NULL RETURNING id, team_id)
       SELECT id, team_id FROM u`,
      [responseId],
    )) as { team_id: string; id: string }[];
  }

  /** The alerts a response made, oldest first. */
  async alertsOfResponse(responseId: string): Promise<AlertRow[]> {
    return (await this.dataSource.query(
      `SELECT id, team_id, directive_id, created_at, released_at FROM team_alerts
       WHERE response_id = $1 ORDER BY created_at, id`,
      [responseId],
    )) as AlertRow[];
  }

  async incidentExists(id: string): Promise<boolean> {
    return (
      ((await this.dataSource.query(`SELECT 1 FROM incidents WHERE id = $1`, [id])) as unknown[]).length > 0
    );
  }
}
