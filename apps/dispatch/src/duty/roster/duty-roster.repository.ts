import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { DutyRole, PlannedShift, RosterShift } from '#domain';

// Shift writes of one user are serialised under this lock (with the user as the second
// key): two concurrent inserts cannot both pass the overlap check.
const SHIFT_LOCK_CLASS = 7_144_017;

export interface ShiftRow extends RosterShift {
  siteId: string;
  name: string;
}

export interface DutyUser {
  id: string;
  name: string;
  siteId: string;
  sitePath: string;
  disabled: boolean;
}

interface DbShift {
  id: string;
  site_id: string;
  user_id: string;
  role: DutyRole;
  starts_at: Date;
  ends_at: Date;
  name: string;
}

const toShift = (r: DbShift): ShiftRow => ({
  id: r.id,
  siteId: r.site_id,
  userId: r.user_id,
  role: r.role,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  name: r.name,
});

const SHIFT_COLUMNS = `s.id, s.site_id, s.user_id, s.role, s.starts_at, s.ends_at,
  coalesce(u.display_name, u.username) AS name`;

/** duty_shifts, and what the roster needs to know of sites and users. */
@Injectable()
export class DutyRosterRepository {
  constructor(private readonly dataSource: DataSource) {}

  async sitePath(siteId: string): Promise<string | null> {
    const [row] = (await this.dataSource.query('SELECT path FROM sites WHERE id = $1', [siteId])) as {
      path: string;
    }[];
    return row?.path ?? null;
  }

  async siteName(siteId: string): Promise<string | null> {
    const [row] = (await this.dataSource.query('SELECT name FROM sites WHERE id = $1', [siteId])) as {
      name: string;
    }[];
    return row?.name ?? null;
  }

  async users(ids: string[]): Promise<Map<string, DutyUser>> {
    const rows = (await this.dataSource.query(
      `SELECT u.id, coalesce(u.display_name, u.username) AS name, u.site_id, s.path, u.disabled
       FROM users u JOIN sites s ON s.id = u.site_id WHERE u.id = ANY($1::uuid[])`,
      [ids],
    )) as { id: string; name: string; site_id: string; path: string; disabled: boolean }[];
    return new Map(
      rows.map((r) => [
        r.id,
        { id: r.id, name: r.name, siteId: r.site_id, sitePath: r.path, disabled: r.disabled },
      ]),
    );
  }

  /** Locks each user's shifts for this transaction, in a fixed order (no deadlock between two rotations). */
  async lockUsers(tx: EntityManager, userIds: string[]): Promise<void> {
    for (const id of [...new Set(userIds)].sort()) {
      await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SHIFT_LOCK_CLASS, id]);
    }
  }

  /** The user's existing shifts that overlap [startsAt, endsAt), at any site. */
  async overlapping(tx: EntityManager, userId: string, startsAt: Date, endsAt: Date): Promise<ShiftRow[]> {
    const rows = (await tx.query(
      `SELECT ${SHIFT_COLUMNS} FROM duty_shifts s JOIN users u ON u.id = s.user_id
       WHERE s.user_id = $1 AND s.starts_at < $3 AND $2 < s.ends_at ORDER BY s.starts_at LIMIT 5`,
      [userId, startsAt, endsAt],
    )) as DbShift[];
    return rows.map(toShift);
  }

  /** Existing shifts of any of these users that touch [from, to), at any site (a rotation's check). */
  async shiftsOfUsers(tx: EntityManager, userIds: string[], from: Date, to: Date): Promise<ShiftRow[]> {
    const rows = (await tx.query(
      `SELECT ${SHIFT_COLUMNS} FROM duty_shifts s JOIN users u ON u.id = s.user_id
       WHERE s.user_id = ANY($1::uuid[]) AND s.starts_at < $3 AND $2 < s.ends_at`,
      [userIds, from, to],
    )) as DbShift[];
    return rows.map(toShift);
  }

  async insert(
    tx: EntityManager,
    siteId: string,
    shifts: PlannedShift[],
    createdBy: string,
  ): Promise<string[]> {
    const rows = (await tx.query(
      `INSERT INTO duty_shifts (site_id, user_id, role, starts_at, ends_at, created_by)
       SELECT $1, * , $6 FROM unnest($2::uuid[], $3::varchar[], $4::timestamptz[], $5::timestamptz[])
       RETURNING id`,
      [
        siteId,
        shifts.map((s) => s.userId),
        shifts.map((s) => s.role),
        shifts.map((s) => s.startsAt.toISOString()),
        shifts.map((s) => s.endsAt.toISOString()),
        createdBy,
      ],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** The site's shifts that touch [from, to), oldest first. */
  async shiftsIn(
    siteId: string,
    from: Date,
    to: Date,
    db: DataSource | EntityManager = this.dataSource,
  ): Promise<ShiftRow[]> {
    const rows = (await db.query(
      `SELECT ${SHIFT_COLUMNS} FROM duty_shifts s JOIN users u ON u.id = s.user_id
       WHERE s.site_id = $1 AND s.starts_at < $3 AND $2 < s.ends_at ORDER BY s.starts_at, s.role LIMIT 5000`,
      [siteId, from, to],
    )) as DbShift[];
    return rows.map(toShift);
  }

  async shift(id: string): Promise<ShiftRow | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT ${SHIFT_COLUMNS} FROM duty_shifts s JOIN users u ON u.id = s.user_id WHERE s.id = $1`,
      [id],
    )) as DbShift[];
    return row && toShift(row);
  }

  async delete(tx: EntityManager, id: string): Promise<void> {
    await tx.query('DELETE FROM duty_shifts WHERE id = $1', [id]);
  }

  async onRoster(siteId: string, userId: string, at: Date): Promise<boolean> {
    const [row] = (await this.dataSource.query(
      `SELECT 1 FROM duty_shifts WHERE site_id = $1 AND user_id = $2 AND starts_at <= $3 AND $3 < ends_at LIMIT 1`,
      [siteId, userId, at],
    )) as unknown[];
    return row !== undefined;
  }

  async onRosterMany(asks: { siteId: string; userId: string; at: Date }[]): Promise<boolean[]> {
    if (!asks.length) return [];
    const rows = (await this.dataSource.query(
      `SELECT a.n FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[]) WITH ORDINALITY AS a(site_id, user_id, at, n)
       WHERE EXISTS (SELECT 1 FROM duty_shifts d WHERE d.site_id = a.site_id AND d.user_id = a.user_id
         AND d.starts_at <= a.at AND a.at < d.ends_at)`,
      [asks.map((a) => a.siteId), asks.map((a) => a.userId), asks.map((a) => a.at)],
    )) as { n: string | number }[];
    const on = new Set(rows.map((r) => Number(r.n)));
    return asks.map((_, i) => on.has(i + 1));
  }

  /** The site's fixed leader on duty (duty_leaders), the roster's fallback. */
  async staticLeader(
    siteId: string,
    db: DataSource | EntityManager = this.dataSource,
  ): Promise<{ userId: string; name: string } | null> {
    const [row] = (await db.query(
      `SELECT d.user_id, coalesce(u.display_name, u.username) AS name
       FROM duty_leaders d JOIN users u ON u.id = d.user_id WHERE d.site_id = $1`,
      [siteId],
    )) as { user_id: string; name: string }[];
    return row ? { userId: row.user_id, name: row.name } : null;
  }
}
