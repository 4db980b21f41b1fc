import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { SpotCheckChannel, SpotCheckTargetState } from '#contracts';

type Queryable = Pick<EntityManager, 'query'>;

export interface SpotCheckRow {
  id: string;
  issued_by: string;
  issuer_site_id: string;
  schedule_id: string | null;
  channels: SpotCheckChannel[];
  drill: boolean;
  /** the drill it was started in (docs/drills.md) */
  drill_id: string | null;
  window_seconds: number;
  created_at: Date;
  deadline: Date;
  settled_at: Date | null;
}

export interface TargetRow {
  site_id: string;
  site_name: string;
  state: SpotCheckTargetState;
  answered_at: Date | null;
  latency_ms: number | null;
  channel: SpotCheckChannel | null;
  answered_by: string | null;
  on_roster: boolean | null;
}

export interface SiteRow {
  id: string;
  name: string;
  path: string;
  parent_id: string | null;
  kind: string;
  region_code: string | null;
}

export interface NewCheck {
  id: string;
  issuedBy: string;
  issuerSiteId: string;
  scheduleId: string | null;
  channels: SpotCheckChannel[];
  drill: boolean;
  windowSeconds: number;
  siteIds: string[];
}

/** An answer as the batch writes it. */
export interface AnswerWrite {
  checkId: string;
  siteId: string;
  state: 'answered' | 'late';
  answeredAt: Date;
  latencyMs: number;
  channel: SpotCheckChannel;
  answeredBy: string | null;
  deviceId: string | null;
  onRoster: boolean | null;
}

/** What an answer's rule needs of its check. */
export interface CheckTimes {
  check_id: string;
  created_at: Date;
  deadline: Date;
  drill: boolean;
}

const CHECK_COLUMNS = `id, issued_by, issuer_site_id, schedule_id, channels, drill, drill_id, window_seconds, created_at, deadline, settled_at`;

/** The spot-check tables: checks, targets, escalations. Schedules are SpotCheckSchedulesRepository's. */
@Injectable()
export class SpotChecksRepository {
  constructor(private readonly dataSource: DataSource) {}

  async sites(ids: string[], db: Queryable = this.dataSource): Promise<SiteRow[]> {
    return (await db.query(
      `SELECT id, name, path, parent_id, kind::text AS kind, region_code FROM sites WHERE id = ANY($1::uuid[])`,
      [ids],
    )) as SiteRow[];
  }

  /** Every township at or below the path, by region code then name. */
  async townshipsUnder(path: string): Promise<SiteRow[]> {
    return (await this.dataSource.query(
      `SELECT id, name, path, parent_id, kind::text AS kind, region_code FROM sites
       WHERE kind = 'township' AND path LIKE $1 || '%'
       ORDER BY region_code NULLS LAST, name, id`,
      [path],
    )) as SiteRow[];
  }

  /** Inserts the check and its pending targets; the deadline is the database's clock plus the window. */
  async insert(tx: Queryable, c: NewCheck): Promise<SpotCheckRow> {
    const [row] = (await tx.query(
      `INSERT INTO spot_checks (id, issued_by, issuer_site_id, schedule_id, channels, drill, window_seconds, deadline)
       VALUES ($1, $2, $3, $4, $5::text[], $6, $7::int, now() + make_interval(secs => $7::int))
       RETURNING ${CHECK_COLUMNS}`,
      [c.id, c.issuedBy, c.issuerSiteId, c.scheduleId, c.channels, c.drill, c.windowSeconds],
    )) as SpotCheckRow[];
    await tx.query(`INSERT INTO spot_check_targets (check_id, site_id) SELECT $1, unnest($2::uuid[])`, [
      c.id,
      c.siteIds,
    ]);
    return row!;
  }

  async find(id: string): Promise<SpotCheckRow | undefined> {
    const [row] = (await this.dataSource.query(`SELECT ${CHECK_COLUMNS} FROM spot_checks WHERE id = $1`, [
      id,
    ])) as SpotCheckRow[];
    return row;
  }

  async targets(checkId: string, siteIds?: string[], db: Queryable = this.dataSource): Promise<TargetRow[]> {
    return (await db.query(
      `SELECT t.site_id, s.name AS site_name, t.state, t.answered_at, t.latency_ms, t.channel, t.answered_by, t.on_roster
       FROM spot_check_targets t JOIN sites s ON s.id = t.site_id
       WHERE t.check_id = $1 AND ($2::uuid[] IS NULL OR t.site_id = ANY($2::uuid[]))
       ORDER BY s.region_code NULLS LAST, s.name, t.site_id`,
      [checkId, siteIds ?? null],
    )) as TargetRow[];
  }

  /** What an answer's rule needs of each check. */
  async timesOf(
    tx: Queryable,
    ids: string[],
  ): Promise<{ id: string; created_at: Date; deadline: Date; drill: boolean }[]> {
    return (await tx.query(
      `SELECT id, created_at, deadline, drill FROM spot_checks WHERE id = ANY($1::uuid[])`,
      [ids],
    )) as { id: string; created_at: Date; deadline: Date; drill: boolean }[];
  }

  /**
   * The site's video checks a roll-call answer at `at` counts for: issued by then and not
   * yet answered (one already settled as missed still takes it, as late).
   */
  async openVideoChecks(siteId: string, at: Date): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT c.id FROM spot_check_targets t JOIN spot_checks c ON c.id = t.check_id
       WHERE t.site_id = $1 AND t.state IN ('pending', 'missed') AND 'video' = ANY(c.channels)
         AND c.created_at <= $2 AND c.deadline + make_interval(secs => c.window_seconds) >= $2
       ORDER BY c.created_at`,
      [siteId, at],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /**
   * The current states of the (check, site) pairs, locked for the batch's transaction, in
   * one order, each with its check's times (a batch's one read before it writes). A pair
   * that is no target is absent.
   */
  async lockTargets(
    tx: Queryable,
    pairs: { checkId: string; siteId: string }[],
  ): Promise<(CheckTimes & { site_id: string; state: SpotCheckTargetState })[]> {
    return (await tx.query(
      `SELECT t.check_id, t.site_id, t.state, c.created_at, c.deadline, c.drill FROM spot_check_targets t
       JOIN unnest($1::uuid[], $2::uuid[]) AS p(check_id, site_id) ON p.check_id = t.check_id AND p.site_id = t.site_id
       JOIN spot_checks c ON c.id = t.check_id
       ORDER BY t.check_id, t.site_id
       FOR UPDATE OF t`,
      [pairs.map((p) => p.checkId), pairs.map((p) => p.siteId)],
    )) as (CheckTimes & { site_id: string; state: SpotCheckTargetState })[];
  }

  async writeAnswers(tx: Queryable, answers: AnswerWrite[]): Promise<void> {
    if (!answers.length) return;
    await tx.query(
      `UPDATE spot_check_targets t SET state = a.state, answered_at = a.answered_at, latency_ms = a.latency_ms,
         channel = a.channel, answered_by = a.answered_by, device_id = a.device_id, on_roster = a.on_roster
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::int[], $6::text[], $7::uuid[], $8::text[], $9::boolean[])
         AS a(check_id, site_id, state, answered_at, latency_ms, channel, answered_by, device_id, on_roster)
       WHERE t.check_id = a.check_id AND t.site_id = a.site_id`,
      [
        answers.map((a) => a.checkId),
        answers.map((a) => a.siteId),
        answers.map((a) => a.state),
        answers.map((a) => a.answeredAt),
        answers.map((a) => a.latencyMs),
        answers.map((a) => a.channel),
        answers.map((a) => a.answeredBy),
        answers.map((a) => a.deviceId),
        answers.map((a) => a.onRoster),
      ],
    );
  }

  /**
   * Settles a check past its deadline: its silent targets become `missed`. Empty when
   * another instance settled it first (the check row is claimed by the UPDATE).
   */
  async settle(tx: Queryable, checkId: string): Promise<{ settled: boolean; missed: string[] }> {
    const [claimed] = (await tx.query(
      `UPDATE spot_checks SET settled_at = now() WHERE id = $1 AND settled_at IS NULL AND deadline <= now() RETURNING id`,
      [checkId],
    )) as [{ id: string }[], number];
    if (!claimed.length) return { settled: false, missed: [] };
    const [rows] = (await tx.query(
      `UPDATE spot_check_targets SET state = 'missed' WHERE check_id = $1 AND state = 'pending' RETURNING site_id`,
      [checkId],
    )) as [{ site_id: string }[], number];
    return { settled: true, missed: rows.map((r) => r.site_id) };
  }

  /** Unsettled checks past their deadline (their timer job was lost or has not run yet). */
  async overdue(limit: number): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT id FROM spot_checks WHERE settled_at IS NULL AND deadline <= now() - interval '2 seconds'
       ORDER BY deadline LIMIT $1`,
      [limit],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** The site's latest settled targets, newest first, among checks of the same kind (drill or not). */
  async recentStates(
    tx: Queryable,
    siteId: string,
    drill: boolean,
    limit: number,
  ): Promise<SpotCheckTargetState[]> {
    const rows = (await tx.query(
      `SELECT t.state FROM spot_check_targets t JOIN spot_checks c ON c.id = t.check_id
       WHERE t.site_id = $1 AND c.drill = $2 AND c.settled_at IS NOT NULL
       ORDER BY c.deadline DESC, c.id DESC LIMIT $3`,
      [siteId, drill, limit],
    )) as { state: SpotCheckTargetState }[];
    return rows.map((r) => r.state);
  }

  async recordEscalation(
    tx: Queryable,
    e: { checkId: string; siteId: string; parentSiteId: string; misses: number },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO spot_check_escalations (check_id, site_id, parent_site_id, misses) VALUES ($1, $2, $3, $4)
       ON CONFLICT (check_id, site_id) DO NOTHING`,
      [e.checkId, e.siteId, e.parentSiteId, e.misses],
    );
  }

  async escalations(checkId: string): Promise<{ site_id: string; parent_site_id: string; misses: number }[]> {
    return (await this.dataSource.query(
      `SELECT site_id, parent_site_id, misses FROM spot_check_escalations WHERE check_id = $1 ORDER BY site_id`,
      [checkId],
    )) as { site_id: string; parent_site_id: string; misses: number }[];
  }

  /** The site's checks still open (for a console that connects mid-window). */
  async openForSite(siteId: string): Promise<{ id: string; deadline: Date; drill: boolean }[]> {
    return (await this.dataSource.query(
      `SELECT c.id, c.deadline, c.drill FROM spot_check_targets t JOIN spot_checks c ON c.id = t.check_id
       WHERE t.site_id = $1 AND t.state = 'pending' AND c.deadline > now()
       ORDER BY c.deadline`,
      [siteId],
    )) as { id: string; deadline: Date; drill: boolean }[];
  }

  /** Every target of checks created in [from, to), of the sites under `path`. */
  async outcomes(
    path: string,
    from: Date,
    to: Date,
    includeDrill: boolean,
  ): Promise<{ site_id: string; state: SpotCheckTargetState; latency_ms: number | null }[]> {
    return (await this.dataSource.query(
      `SELECT t.site_id, t.state, t.latency_ms FROM spot_check_targets t
       JOIN spot_checks c ON c.id = t.check_id JOIN sites s ON s.id = t.site_id
       WHERE c.created_at >= $2 AND c.created_at < $3 AND ($4 OR NOT c.drill) AND s.path LIKE $1 || '%'`,
      [path, from, to, includeDrill],
    )) as { site_id: string; state: SpotCheckTargetState; latency_ms: number | null }[];
  }
}
