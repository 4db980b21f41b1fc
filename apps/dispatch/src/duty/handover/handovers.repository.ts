import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { OpenItem } from '#domain';

export interface HandoverRow {
  id: string;
  siteId: string;
  fromUserId: string;
  toUserId: string;
  notes: string | null;
  openItems: OpenItem[];
  createdAt: Date;
  dueBy: Date;
  confirmedAt: Date | null;
  alertedAt: Date | null;
}

interface DbHandover {
  id: string;
  site_id: string;
  from_user_id: string;
  to_user_id: string;
  notes: string | null;
  open_items: OpenItem[];
  created_at: Date;
  due_by: Date;
  confirmed_at: Date | null;
  alerted_at: Date | null;
}

const toRow = (r: DbHandover): HandoverRow => ({
  id: r.id,
  siteId: r.site_id,
  fromUserId: r.from_user_id,
  toUserId: r.to_user_id,
  notes: r.notes,
  openItems: r.open_items,
  createdAt: r.created_at,
  dueBy: r.due_by,
  confirmedAt: r.confirmed_at,
  alertedAt: r.alerted_at,
});

/** duty_handovers, and the open directives a handover lists. */
@Injectable()
export class HandoversRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(
    tx: EntityManager,
    h: Pick<HandoverRow, 'siteId' | 'fromUserId' | 'toUserId' | 'notes' | 'openItems'>,
    windowSeconds: number,
  ): Promise<HandoverRow> {
    const [row] = (await tx.query(
      `INSERT INTO duty_handovers (site_id, from_user_id, to_user_id, notes, open_items, due_by)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6)) RETURNING *`,
      [h.siteId, h.fromUserId, h.toUserId, h.notes, JSON.stringify(h.openItems), windowSeconds],
    )) as DbHandover[];
    return toRow(row!);
  }

  async get(id: string): Promise<HandoverRow | undefined> {
    const [row] = (await this.dataSource.query('SELECT * FROM duty_handovers WHERE id = $1', [
      id,
    ])) as DbHandover[];
    return row && toRow(row);
  }

  /** Confirms unless already confirmed (a conditional UPDATE: a double click confirms once). */
  async confirm(tx: EntityManager, id: string): Promise<HandoverRow | undefined> {
    const rows = (await tx.query(
      `UPDATE duty_handovers SET confirmed_at = now() WHERE id = $1 AND confirmed_at IS NULL RETURNING *`,
      [id],
    )) as [DbHandover[], number];
    return rows[0][0] && toRow(rows[0][0]);
  }

  /**
   * Marks unconfirmed handovers past their window as alerted and answers them. One UPDATE:
   * when two instances sweep at once, each row is taken by exactly one of them.
   */
  async takeOverdue(tx: EntityManager, limit: number): Promise<HandoverRow[]> {
    const rows = (await tx.query(
      `UPDATE duty_handovers SET alerted_at = now()
       WHERE id IN (SELECT id FROM duty_handovers
                    WHERE confirmed_at IS NULL AND alerted_at IS NULL AND due_by <= now()
                    ORDER BY due_by LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [limit],
    )) as [DbHandover[], number];
    return rows[0].map(toRow);
  }

  /** The site's recent handovers, newest first. */
  async recent(siteId: string, limit: number): Promise<HandoverRow[]> {
    const rows = (await this.dataSource.query(
      'SELECT * FROM duty_handovers WHERE site_id = $1 ORDER BY created_at DESC LIMIT $2',
      [siteId, limit],
    )) as DbHandover[];
    return rows.map(toRow);
  }

  /** Directives still waiting for the site's 签收 or 反馈, oldest first. */
  async openDirectives(siteId: string): Promise<OpenItem[]> {
    const rows = (await this.dataSource.query(
      `SELECT d.id, d.serial, d.title, r.state FROM directive_recipients r JOIN directives d ON d.id = r.directive_id
       WHERE r.site_id = $1 AND d.status = 'issued' AND r.state NOT IN ('completed', 'expired')
       ORDER BY d.issued_at LIMIT 200`,
      [siteId],
    )) as { id: string; serial: string; title: string; state: string }[];
    return rows.map((r) => ({
      kind: 'directive',
      id: r.id,
      title: `${r.serial} ${r.title}`,
      state: r.state,
    }));
  }
}
