import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Role, SpotCheckChannel } from '#contracts';

type Queryable = Pick<EntityManager, 'query'>;

export interface ScheduleRow {
  id: string;
  created_by: string;
  scope_site_id: string;
  times: string[];
  random_count: number | null;
  random_between: string[] | null;
  sample_count: number;
  window_seconds: number;
  channels: SpotCheckChannel[];
  drill: boolean;
  created_at: Date;
}

/** Who a schedule fires as: its creator, with the role and scope they have now. */
export interface ScheduleOwner {
  userId: string;
  role: Role;
  siteId: string;
  sitePath: string;
  disabled: boolean;
}

const COLUMNS = `id, created_by, scope_site_id, times, random_count, random_between, sample_count, window_seconds, channels, drill, created_at`;

/** spot_check_schedules and the per-slot claims that make a cluster fire each slot once. */
@Injectable()
export class SpotCheckSchedulesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(tx: Queryable, s: Omit<ScheduleRow, 'created_at'>): Promise<ScheduleRow> {
    const [row] = (await tx.query(
      `INSERT INTO spot_check_schedules (id, created_by, scope_site_id, times, random_count, random_between, sample_count, window_seconds, channels, drill)
       VALUES ($1, $2, $3, $4::text[], $5, $6::text[], $7, $8, $9::text[], $10) RETURNING ${COLUMNS}`,
      [
        s.id,
        s.created_by,
        s.scope_site_id,
        s.times,
        s.random_count,
        s.random_between,
        s.sample_count,
        s.window_seconds,
        s.channels,
        s.drill,
      ],
    )) as ScheduleRow[];
    return row!;
  }

  async active(): Promise<ScheduleRow[]> {
    return (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM spot_check_schedules WHERE active ORDER BY created_at`,
    )) as ScheduleRow[];
  }

  async list(scopePath: string): Promise<ScheduleRow[]> {
    return (await this.dataSource.query(
      `SELECT ${COLUMNS.split(', ')
        .map((c) => `k.${c}`)
        .join(', ')} FROM spot_check_schedules k
       JOIN sites s ON s.id = k.scope_site_id
       WHERE k.active AND s.path LIKE $1 || '%' ORDER BY k.created_at`,
      [scopePath],
    )) as ScheduleRow[];
  }

  async owner(userId: string): Promise<ScheduleOwner | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT u.id AS "userId", u.role::text AS role, u.site_id AS "siteId", s.path AS "sitePath", u.disabled
       FROM users u JOIN sites s ON s.id = u.site_id WHERE u.id = $1`,
      [userId],
    )) as ScheduleOwner[];
    return row;
  }

  /**
   * Claims one slot of a schedule for this instance, inside the transaction that starts
   * its check: the primary key lets one instance in; the others' inserts do nothing (and,
   * while the winner's transaction is open, wait for it, then do nothing).
   */
  async claim(tx: Queryable, scheduleId: string, slotAt: Date, checkId: string | null): Promise<boolean> {
    const rows = (await tx.query(
      `INSERT INTO spot_check_schedule_runs (schedule_id, slot_at, check_id) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING schedule_id`,
      [scheduleId, slotAt, checkId],
    )) as unknown[];
    return rows.length === 1;
  }

  /** Slots already claimed among these (so an instance does not even try them). */
  async claimed(scheduleId: string, slots: Date[]): Promise<Set<number>> {
    const rows = (await this.dataSource.query(
      `SELECT slot_at FROM spot_check_schedule_runs WHERE schedule_id = $1 AND slot_at = ANY($2::timestamptz[])`,
      [scheduleId, slots],
    )) as { slot_at: Date }[];
    return new Set(rows.map((r) => r.slot_at.getTime()));
  }

  async runs(scheduleId: string): Promise<{ slot_at: Date; check_id: string | null }[]> {
    return (await this.dataSource.query(
      `SELECT slot_at, check_id FROM spot_check_schedule_runs WHERE schedule_id = $1 ORDER BY slot_at`,
      [scheduleId],
    )) as { slot_at: Date; check_id: string | null }[];
  }
}
