import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  ChainVerifier,
  dutyLogAsChainRow,
  dutyLogKey,
  dutyLogMac,
  GENESIS_HASH,
  type ChainCheck,
  type DutyLogContent,
  type DutyLogEntry,
  type DutyLogKind,
} from '#domain';
import { AppConfig } from '#platform';

// Appends from every instance are serialised so each entry links to exactly one predecessor.
const DUTY_LOG_LOCK_KEY = 7_144_018;
const COLUMNS = 'seq, at, actor_id, kind, site_id, data, prev_hash, hash';

interface DbEntry {
  seq: string;
  at: Date;
  actor_id: string | null;
  kind: DutyLogKind;
  site_id: string;
  data: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

export interface ListedEntry extends DutyLogEntry {
  actorName: string | null;
}

const toEntry = (r: DbEntry): DutyLogEntry => ({
  seq: Number(r.seq),
  at: r.at.toISOString(),
  actorId: r.actor_id,
  kind: r.kind,
  siteId: r.site_id,
  data: r.data,
  prevHash: r.prev_hash,
  hash: r.hash,
});

/** duty_log: the append-only, keyed hash chain of 值班日志 entries. */
@Injectable()
export class DutyLogRepository {
  private readonly key: Buffer;

  constructor(
    private readonly dataSource: DataSource,
    config: AppConfig,
  ) {
    this.key = dutyLogKey(config.auditKey);
  }

  /** Appends one entry inside the caller's transaction (so its audit entry commits with it). */
  async append(
    tx: EntityManager,
    input: Pick<DutyLogContent, 'actorId' | 'kind' | 'siteId' | 'data'>,
  ): Promise<DutyLogEntry> {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [DUTY_LOG_LOCK_KEY]);
    const [last] = (await tx.query('SELECT seq, hash FROM duty_log ORDER BY seq DESC LIMIT 1')) as {
      seq: string;
      hash: string;
    }[];
    const content: DutyLogContent = {
      seq: last ? Number(last.seq) + 1 : 1,
      // whole milliseconds, as timestamptz keeps them and toISOString prints them
      at: new Date().toISOString(),
      actorId: input.actorId,
      kind: input.kind,
      siteId: input.siteId,
      // a JSON round trip drops undefined and normalises values exactly as jsonb will
      data: JSON.parse(JSON.stringify(input.data)) as Record<string, unknown>,
    };
    const prevHash = last?.hash ?? GENESIS_HASH;
    const hash = dutyLogMac(content, prevHash, this.key);
    await tx.query(`INSERT INTO duty_log (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
      content.seq,
      content.at,
      content.actorId,
      content.kind,
      content.siteId,
      JSON.stringify(content.data),
      prevHash,
      hash,
    ]);
    return { ...content, prevHash, hash };
  }

  async actorName(userId: string): Promise<string | null> {
    const [row] = (await this.dataSource.query(
      'SELECT coalesce(display_name, username) AS name FROM users WHERE id = $1',
      [userId],
    )) as { name: string }[];
    return row?.name ?? null;
  }

  /** A site's entries in [from, to), newest first. */
  async list(siteId: string, from: Date | null, to: Date | null, limit: number): Promise<ListedEntry[]> {
    const rows = (await this.dataSource.query(
      `SELECT l.seq, l.at, l.actor_id, l.kind, l.site_id, l.data, l.prev_hash, l.hash,
              coalesce(u.display_name, u.username) AS actor_name
       FROM duty_log l LEFT JOIN users u ON u.id = l.actor_id
       WHERE l.site_id = $1 AND ($2::timestamptz IS NULL OR l.at >= $2) AND ($3::timestamptz IS NULL OR l.at < $3)
       ORDER BY l.seq DESC LIMIT $4`,
      [siteId, from, to, limit],
    )) as (DbEntry & { actor_name: string | null })[];
    return rows.map((r) => ({ ...toEntry(r), actorName: r.actor_name }));
  }

  /**
   * Recomputes every hash from the first entry, a page at a time, with the audit chain's
   * verifier. `recorded` is the newest head the audit chain saw appended: a log that ends
   * before it, or differs at it, lost or rewrote entries the chain alone cannot show.
   */
  async verify(recorded: { seq: number; hash: string } | null, pageSize = 2000): Promise<ChainCheck> {
    const verifier = new ChainVerifier(this.key);
    let next = 1;
    let recordedHash: string | undefined;
    for (;;) {
      const page = (await this.dataSource.query(
        `SELECT ${COLUMNS} FROM duty_log WHERE seq >= $1 ORDER BY seq LIMIT $2`,
        [next, pageSize],
      )) as DbEntry[];
      for (const r of page) {
        const failed = verifier.push(dutyLogAsChainRow(toEntry(r)));
        if (failed) return failed;
        if (recorded && Number(r.seq) === recorded.seq) recordedHash = r.hash;
      }
      if (page.length < pageSize) break;
      next = Number(page[page.length - 1]!.seq) + 1;
    }
    const result = verifier.finish();
    if (!recorded) return result;
    const last = verifier.head.seq;
    if (last < recorded.seq) {
      return {
        ok: false,
        checked: result.checked,
        brokenAt: {
          seq: last + 1,
          reason: `entries ${last + 1}-${recorded.seq} are missing: the log ends before the head the audit chain recorded`,
        },
      };
    }
    if (recordedHash !== recorded.hash) {
      return {
        ok: false,
        checked: result.checked,
        brokenAt: {
          seq: recorded.seq,
          reason: `entry ${recorded.seq} does not match the audit chain's record of it`,
        },
      };
    }
    return result;
  }

  /** The newest duty log head the audit chain recorded (its `duty.log.append` entries). */
  async recordedHead(): Promise<{ seq: number; hash: string } | null> {
    const [row] = (await this.dataSource.query(
      `SELECT data FROM audit_log WHERE action = 'duty.log.append' ORDER BY seq DESC LIMIT 1`,
    )) as { data: { seq?: number; hash?: string } }[];
    return row && typeof row.data.seq === 'number' && typeof row.data.hash === 'string'
      ? { seq: row.data.seq, hash: row.data.hash }
      : null;
  }
}
