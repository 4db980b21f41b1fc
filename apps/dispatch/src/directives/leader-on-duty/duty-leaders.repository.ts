import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { LeaderCandidate } from '#domain';

/** A site's leader on duty (duty_leaders: one row per site while someone is on duty). */
export interface DutyLeaderRow {
  user_id: string;
  since: Date;
}

@Injectable()
export class DutyLeadersRepository {
  constructor(private readonly dataSource: DataSource) {}

  async current(siteId: string): Promise<DutyLeaderRow | undefined> {
    const [row] = (await this.dataSource.query('SELECT user_id, since FROM duty_leaders WHERE site_id = $1', [
      siteId,
    ])) as DutyLeaderRow[];
    return row;
  }

  /** What the rule needs to know about a user proposed as leader; null when there is no such user. */
  async candidate(userId: string): Promise<LeaderCandidate | null> {
    const [user] = (await this.dataSource.query('SELECT site_id, disabled FROM users WHERE id = $1', [
      userId,
    ])) as { site_id: string; disabled: boolean }[];
    return user ? { siteId: user.site_id, disabled: user.disabled } : null;
  }

  /** A new leader starts a new `since`, even when replacing another. */
  async set(tx: EntityManager, siteId: string, userId: string, setBy: string): Promise<void> {
    await tx.query(
      `INSERT INTO duty_leaders (site_id, user_id, set_by) VALUES ($1, $2, $3)
       ON CONFLICT (site_id) DO UPDATE SET user_id = excluded.user_id, set_by = excluded.set_by, since = now()`,
      [siteId, userId, setBy],
    );
  }

  async clear(tx: EntityManager, siteId: string): Promise<void> {
    await tx.query('DELETE FROM duty_leaders WHERE site_id = $1', [siteId]);
  }
}
