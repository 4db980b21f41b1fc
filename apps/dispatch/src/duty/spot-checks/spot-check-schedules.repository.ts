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
  active: boolean;
}

/** Who a schedule fires as: its creator, with the role and scope they have now. */
export interface ScheduleOwner {
  userId: string;
  role: Role;
  siteId: string;
  sitePath: string;
  disabled: boolean;
}

const COLUMNS = `id, created_by, scope_site_id, times, random_count, random_between, sample_count, window_seconds, channels, drill, created_at, active`;

/** spot_check_schedules and the per-slot claims that make a cluster fire each slot once. */
@Injectable()
export class SpotCheckSchedulesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(tx: Queryable, s: Omit<ScheduleRow, 'created_at' | 'active'>): Promise<ScheduleRow> {
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

  /** One schedule, active or not, with the path of the site whose scope it samples. */
  async find(id: string): Promise<(ScheduleRow & { scope_path: string }) | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT ${COLUMNS.split(', ')
        .map((c) => `k.${c}`)
        .join(', ')}, s.path AS scope_path FROM spot_check_schedules k
       JOIN sites s ON s.id = k.scope_site_id WHERE k.id = $1`,
      [id],
    )) as (ScheduleRow & { scope_path: string })[];
    return row;
  }

  /**
   * Disables an active schedule; undefined when it was not active. The row lock waits for
   * a slot being fired at this moment (its claim holds a share lock): after this commits,
   * no slot of it fires.
   */
  async disable(tx: Queryable, id: string): Promise<ScheduleRow | undefined> {
    // an UPDATE answers [rows, count] through TypeORM
    const [rows] = (await tx.query(
      `UPDATE spot_check_schedules SET active = false WHERE id = $1 AND active RETURNING ${COLUMNS}`,
      [id],
    )) as [ScheduleRow[], number];
    return rows[0];
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
   * while the winner's transaction is open, wait for it, then do nothing). False, too, for
   * a schedule no longer active.
   */
  async claim(tx: Queryable, scheduleId: string, slotAt: Date, checkId: string | null): Promise<boolean> {
    // a schedule disabled since this tick read it fires nothing; the share lock keeps a
    // disable from committing while this slot's check is written
    const live = (await tx.query(`SELECT 1 FROM spot_check_schedules WHERE id = $1 AND active FOR SHARE`, [
      scheduleId,
    ])) as unknown[];
    if (!live.length) return false;
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
