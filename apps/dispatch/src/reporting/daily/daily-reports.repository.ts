import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { DailyReportChannel } from '#contracts';
import type { DailyKind, DailySiteState } from '#domain';

type Queryable = Pick<EntityManager, 'query'>;

export interface RoundRow {
  id: string;
  date: string;
  due_at: Date;
  remind_at: Date | null;
  closes_at: Date;
  drill: boolean;
  /** the drill the round belongs to; null for a real round (or one only flagged drill) */
  drill_id: string | null;
  opened_by: string | null;
  created_at: Date;
}

export interface TargetRow {
  site_id: string;
  site_name: string;
  parent_id: string | null;
  path: string;
  date: string;
  round_id: string;
  drill_id: string | null;
  drill: boolean;
  /** the round's due time */
  round_due_at: Date;
  state: DailySiteState;
  first_at: Date | null;
  late_seconds: number | null;
  version: number;
  last_at: Date | null;
  kind: DailyKind | null;
  channel: DailyReportChannel | null;
}

export interface SiteRow {
  id: string;
  name: string;
  path: string;
  parent_id: string | null;
  kind: string;
}

export interface NewVersion {
  siteId: string;
  date: string;
  roundId: string;
  kind: DailyKind;
  text: string | null;
  channel: DailyReportChannel;
  submittedBy: string | null;
  terminalId: string | null;
  deviceAt: Date | null;
  at: Date;
  late: boolean;
  dedupKey: string | null;
  state: 'submitted' | 'zero' | 'late';
  lateSeconds: number;
}

const ROUND = `id, date, due_at, remind_at, closes_at, drill, drill_id, opened_by, created_at`;
const TARGET = `t.site_id, s.name AS site_name, s.parent_id, s.path, t.date, t.round_id, t.drill_id,
  r.drill, r.due_at AS round_due_at, t.state, t.first_at,
  t.late_seconds, t.version, t.last_at, t.kind, t.channel`;

/** Which rounds of a date a read means: the real one (no drill), one drill's, or any. */
export type RoundKey = { drillId: string | null } | 'any';
const NIL = '00000000-0000-0000-0000-000000000000';
/** what TARGET reads from: the target, its site and its round */
const TARGETS = `daily_report_targets t JOIN sites s ON s.id = t.site_id JOIN daily_report_rounds r ON r.id = t.round_id`;

/** daily_report_rounds, their targets, every version (append-only), the automatic rounds' claims. */
@Injectable()
export class DailyReportsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async sites(ids: string[], db: Queryable = this.dataSource): Promise<SiteRow[]> {
    return (await db.query(
      `SELECT id, name, path, parent_id, kind::text AS kind FROM sites WHERE id = ANY($1::uuid[])`,
      [ids],
    )) as SiteRow[];
  }

  async townshipsUnder(path: string, db: Queryable = this.dataSource): Promise<SiteRow[]> {
    return (await db.query(
      `SELECT id, name, path, parent_id, kind::text AS kind FROM sites
       WHERE kind = 'township' AND path LIKE $1 || '%' ORDER BY region_code NULLS LAST, name, id`,
      [path],
    )) as SiteRow[];
  }

  /** Of these sites, those already in a round for the date and drill (or none). */
  async taken(tx: Queryable, date: string, siteIds: string[], drillId: string | null): Promise<string[]> {
    const rows = (await tx.query(
      `SELECT site_id FROM daily_report_targets
       WHERE date = $1 AND site_id = ANY($2::uuid[]) AND COALESCE(drill_id, $3::uuid) = COALESCE($4::uuid, $3::uuid)`,
      [date, siteIds, NIL, drillId],
    )) as { site_id: string }[];
    return rows.map((r) => r.site_id);
  }

  /**
   * The round and its pending targets. A site already in a round of the date and drill (or
   * none) makes the unique index refuse the insert: the caller checks `taken` first, inside the transaction,
   * and a race between two openers ends in a unique violation (a 409 at the edge).
   */
  async insertRound(
    tx: Queryable,
    r: Omit<RoundRow, 'created_at'> & { scope_site_id: string | null },
    siteIds: string[],
  ): Promise<RoundRow> {
    const [row] = (await tx.query(
      `INSERT INTO daily_report_rounds (id, date, due_at, remind_at, closes_at, drill, drill_id, opened_by, scope_site_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${ROUND}`,
      [r.id, r.date, r.due_at, r.remind_at, r.closes_at, r.drill, r.drill_id, r.opened_by, r.scope_site_id],
    )) as RoundRow[];
    await tx.query(
      `INSERT INTO daily_report_targets (site_id, date, round_id, drill_id)
       SELECT unnest($1::uuid[]), $2, $3, $4`,
      [siteIds, r.date, r.id, r.drill_id],
    );
    return row!;
  }

  /** Claims the day's automatic round for this instance, inside the transaction that opens it. */
  async claimAuto(tx: Queryable, date: string, roundId: string | null): Promise<boolean> {
    const rows = (await tx.query(
      `INSERT INTO daily_report_auto_runs (date, round_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING date`,
      [date, roundId],
    )) as unknown[];
    return rows.length === 1;
  }

  async autoClaimed(date: string): Promise<boolean> {
    const rows = (await this.dataSource.query(`SELECT 1 FROM daily_report_auto_runs WHERE date = $1`, [
      date,
    ])) as unknown[];
    return rows.length > 0;
  }

  async round(id: string, db: Queryable = this.dataSource): Promise<RoundRow | undefined> {
    const [row] = (await db.query(`SELECT ${ROUND} FROM daily_report_rounds WHERE id = $1`, [
      id,
    ])) as RoundRow[];
    return row;
  }

  /**
   * The site's target of the date in the real round or one drill's, locked for a new version
   * when given a transaction. 'any' (a terminal's key, which names no drill): the real
   * round's first, else a drill round of the date.
   */
  async target(siteId: string, date: string, key: RoundKey, tx?: Queryable): Promise<TargetRow | undefined> {
    const [row] = (await (tx ?? this.dataSource).query(
      `SELECT ${TARGET} FROM ${TARGETS}
       WHERE t.site_id = $1 AND t.date = $2
         AND ($3 OR COALESCE(t.drill_id, $4::uuid) = COALESCE($5::uuid, $4::uuid))
       ORDER BY (t.drill_id IS NOT NULL), t.drill_id LIMIT 1 ${tx ? 'FOR UPDATE OF t' : ''}`,
      [siteId, date, key === 'any', NIL, key === 'any' ? null : key.drillId],
    )) as TargetRow[];
    return row;
  }

  /**
   * The targets of a date among the sites under a path (a duty officer: their own site): the
   * real rounds' (drillId null), one drill's, or every round's ('any').
   */
  async targetsOfDate(
    date: string,
    path: string,
    siteId: string | undefined,
    key: RoundKey,
  ): Promise<TargetRow[]> {
    return (await this.dataSource.query(
      `SELECT ${TARGET} FROM ${TARGETS}
       WHERE t.date = $1 AND s.path LIKE $2 || '%' AND ($3::uuid IS NULL OR t.site_id = $3)
         AND ($4 OR COALESCE(t.drill_id, $5::uuid) = COALESCE($6::uuid, $5::uuid))
       ORDER BY s.region_code NULLS LAST, s.name, s.id, (t.drill_id IS NOT NULL), t.drill_id`,
      [date, path, siteId ?? null, key === 'any', NIL, key === 'any' ? null : key.drillId],
    )) as TargetRow[];
  }

  async targetsOfRound(roundId: string, states: DailySiteState[], db: Queryable = this.dataSource) {
    return (await db.query(
      `SELECT ${TARGET} FROM ${TARGETS}
       WHERE t.round_id = $1 AND t.state = ANY($2::text[])`,
      [roundId, states],
    )) as TargetRow[];
  }

  /** A version already recorded under this key (a terminal's QoS 1 duplicate). */
  async byDedupKey(tx: Queryable, roundId: string, siteId: string, key: string) {
    const [row] = (await tx.query(
      `SELECT version, submitted_at, late, kind FROM daily_reports WHERE round_id = $1 AND site_id = $2 AND dedup_key = $3`,
      [roundId, siteId, key],
    )) as { version: number; submitted_at: Date; late: boolean; kind: DailyKind }[];
    return row;
  }

  /** Appends a version and moves the site's target; the target row is locked by the caller. */
  async addVersion(tx: Queryable, id: string, v: NewVersion, version: number): Promise<void> {
    await tx.query(
      `INSERT INTO daily_reports (id, round_id, site_id, date, version, kind, text, channel, submitted_by,
         terminal_id, device_at, submitted_at, late, dedup_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        id,
        v.roundId,
        v.siteId,
        v.date,
        version,
        v.kind,
        v.text,
        v.channel,
        v.submittedBy,
        v.terminalId,
        v.deviceAt,
        v.at,
        v.late,
        v.dedupKey,
      ],
    );
    await tx.query(
      `UPDATE daily_report_targets SET state = $3, version = $4, last_at = $5, kind = $6, channel = $7,
         first_at = COALESCE(first_at, $5), late_seconds = COALESCE(late_seconds, $8)
       WHERE site_id = $1 AND round_id = $2`,
      [v.siteId, v.roundId, v.state, version, v.at, v.kind, v.channel, version === 1 ? v.lateSeconds : null],
    );
  }

  /** Claims one step of a round (reminded, chased, closed): true for the one instance that wins. */
  async claimStep(
    tx: Queryable,
    roundId: string,
    step: 'reminded_at' | 'chased_at' | 'closed_at',
  ): Promise<boolean> {
    // TypeORM answers an UPDATE ... RETURNING with [rows, affectedCount]
    const [rows] = (await tx.query(
      `UPDATE daily_report_rounds SET ${step} = now() WHERE id = $1 AND ${step} IS NULL RETURNING id`,
      [roundId],
    )) as [unknown[], number];
    return rows.length === 1;
  }

  /** Pending targets of the round become missing; returns them. */
  async markMissing(tx: Queryable, roundId: string): Promise<string[]> {
    const [rows] = (await tx.query(
      `UPDATE daily_report_targets SET state = 'missing' WHERE round_id = $1 AND state = 'pending' RETURNING site_id`,
      [roundId],
    )) as [{ site_id: string }[], number];
    return rows.map((r) => r.site_id);
  }

  /** Rounds with a step whose time has come and that no instance has taken (lost timers). */
  async stepsDue(limit: number): Promise<{ id: string; step: 'remind' | 'due' | 'close' }[]> {
    return (await this.dataSource.query(
      `SELECT id, CASE WHEN closes_at <= now() THEN 'close'
                       WHEN due_at <= now() AND chased_at IS NULL THEN 'due'
                       ELSE 'remind' END AS step
       FROM daily_report_rounds
       WHERE closed_at IS NULL AND (closes_at <= now() OR (due_at <= now() AND chased_at IS NULL)
         OR (remind_at <= now() AND reminded_at IS NULL AND due_at > now()))
       ORDER BY closes_at LIMIT $1`,
      [limit],
    )) as { id: string; step: 'remind' | 'due' | 'close' }[];
  }

  /** Late and missing targets of these sites, for findings and the 通报. */
  async findingRows(siteIds: string[], fromDate: string, toDate: string, includeDrill: boolean) {
    return (await this.dataSource.query(
      `SELECT t.site_id, t.date, t.round_id, t.state, t.first_at, t.late_seconds, r.closes_at, r.drill
       FROM daily_report_targets t JOIN daily_report_rounds r ON r.id = t.round_id
       WHERE t.site_id = ANY($1::uuid[]) AND t.date >= $2 AND t.date <= $3
         AND ($4 OR NOT r.drill)`,
      [siteIds, fromDate, toDate, includeDrill],
    )) as {
      site_id: string;
      date: string;
      round_id: string;
      state: DailySiteState;
      first_at: Date | null;
      late_seconds: number | null;
      closes_at: Date;
      drill: boolean;
    }[];
  }

  /** Open rounds naming this site, for its console's catch-up and the handover's open items. */
  async pendingForSite(siteId: string): Promise<(TargetRow & { due_at: Date })[]> {
    return (await this.dataSource.query(
      `SELECT ${TARGET}, r.due_at FROM ${TARGETS}
       WHERE t.site_id = $1 AND t.state = 'pending' AND r.closed_at IS NULL ORDER BY t.date, t.drill_id NULLS FIRST`,
      [siteId],
    )) as (TargetRow & { due_at: Date })[];
  }
}
