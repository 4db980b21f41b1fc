import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { FloorRank, RadioCodec, RadioTalker } from '#contracts';

export interface TalkgroupRow {
  id: string;
  name: string;
  site_id: string;
  site_path: string;
  codec: RadioCodec;
}

export interface GatewayRow {
  id: string;
  name: string;
  kind: string;
  revoked: boolean;
  site_path: string;
  presence: string;
  last_seen_at: Date | null;
  talkgroup_id: string | null;
}

export interface TransmissionRow {
  id: string;
  talkgroup_id: string;
  talker_kind: RadioTalker['kind'];
  talker_id: string;
  talker_name: string;
  rank: FloorRank;
  directive_id: string | null;
  started_at: Date;
  ended_at: Date | null;
  interrupted: boolean;
  audio_path: string | null;
  bytes: number;
  duration_ms: number | null;
}

export interface EmergencyRow {
  id: string;
  talkgroup_id: string;
  terminal_id: string;
  transmission_id: string | null;
  raised_at: Date;
  acked_at: Date | null;
  acked_by: string | null;
}

const TG_COLUMNS = `t.id, t.name, t.site_id, s.path AS site_path, t.codec`;

/** Every statement about talkgroups, their gateways, transmissions, emergencies and patches. */
@Injectable()
export class TalkgroupsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private q<T>(sql: string, params: unknown[], m?: EntityManager): Promise<T[]> {
    return (m ?? this.dataSource).query(sql, params) as Promise<T[]>;
  }

  async site(id: string): Promise<{ id: string; path: string } | null> {
    const [row] = await this.q<{ id: string; path: string }>(`SELECT id, path FROM sites WHERE id = $1`, [
      id,
    ]);
    return row ?? null;
  }

  /** how a console user is named on air and in the transmission list */
  async userName(userId: string): Promise<string | null> {
    const [row] = await this.q<{ display_name: string | null; username: string }>(
      `SELECT display_name, username FROM users WHERE id = $1`,
      [userId],
    );
    return row ? (row.display_name ?? row.username) : null;
  }

  async get(id: string): Promise<TalkgroupRow | null> {
    const [row] = await this.q<TalkgroupRow>(
      `SELECT ${TG_COLUMNS} FROM talkgroups t JOIN sites s ON s.id = t.site_id
       WHERE t.id = $1 AND t.deleted_at IS NULL`,
      [id],
    );
    return row ?? null;
  }

  /** Talkgroups whose site is at or below `pathPrefix` (the caller narrows further). */
  list(pathPrefix: string): Promise<TalkgroupRow[]> {
    return this.q<TalkgroupRow>(
      `SELECT ${TG_COLUMNS} FROM talkgroups t JOIN sites s ON s.id = t.site_id
       WHERE t.deleted_at IS NULL AND s.path LIKE $1 || '%' ORDER BY t.created_at, t.id LIMIT 1000`,
      [pathPrefix],
    );
  }

  /** Terminals by id with their site path and current talkgroup, for validating a membership. */
  gateways(ids: string[]): Promise<GatewayRow[]> {
    return this.q<GatewayRow>(
      `SELECT te.id, te.name, te.kind::text AS kind, te.revoked_at IS NOT NULL AS revoked,
              s.path AS site_path, te.presence, te.last_seen_at, g.talkgroup_id
       FROM terminals te JOIN sites s ON s.id = te.site_id
       LEFT JOIN talkgroup_gateways g ON g.terminal_id = te.id
       WHERE te.id = ANY($1::text[])`,
      [ids],
    );
  }

  /** The gateways of these talkgroups, in a stable order. */
  members(
    talkgroupIds: string[],
  ): Promise<(GatewayRow & { talkgroup_id: string; inhibit_tx: boolean; inhibit_rx: boolean })[]> {
    return this.q(
      `SELECT te.id, te.name, te.kind::text AS kind, te.revoked_at IS NOT NULL AS revoked,
              s.path AS site_path, te.presence, te.last_seen_at, g.talkgroup_id, g.inhibit_tx, g.inhibit_rx
       FROM talkgroup_gateways g JOIN terminals te ON te.id = g.terminal_id JOIN sites s ON s.id = te.site_id
       WHERE g.talkgroup_id = ANY($1::uuid[]) ORDER BY te.id`,
      [talkgroupIds],
    );
  }

  async talkgroupOfGateway(terminalId: string): Promise<TalkgroupRow | null> {
    const [row] = await this.q<TalkgroupRow>(
      `SELECT ${TG_COLUMNS} FROM talkgroup_gateways g JOIN talkgroups t ON t.id = g.talkgroup_id
       JOIN sites s ON s.id = t.site_id WHERE g.terminal_id = $1 AND t.deleted_at IS NULL`,
      [terminalId],
    );
    return row ?? null;
  }

  async inhibit(terminalId: string): Promise<{ tx: boolean; rx: boolean }> {
    const [row] = await this.q<{ tx: boolean; rx: boolean }>(
      `SELECT inhibit_tx AS tx, inhibit_rx AS rx FROM talkgroup_gateways WHERE terminal_id = $1`,
      [terminalId],
    );
    return row ?? { tx: false, rx: false };
  }

  async setInhibit(
    talkgroupId: string,
    terminalId: string,
    inhibit: { tx: boolean; rx: boolean },
    m: EntityManager,
  ): Promise<boolean> {
    const rows = await this.q(
      `UPDATE talkgroup_gateways SET inhibit_tx = $3, inhibit_rx = $4 WHERE talkgroup_id = $1 AND terminal_id = $2 RETURNING terminal_id`,
      [talkgroupId, terminalId, inhibit.tx, inhibit.rx],
      m,
    );
    return firstReturned(rows) !== null;
  }

  /** Talkgroups holding a gateway of this site. */
  async ofSite(siteId: string): Promise<string[]> {
    const rows = await this.q<{ id: string }>(
      `SELECT DISTINCT t.id FROM talkgroups t JOIN talkgroup_gateways g ON g.talkgroup_id = t.id
       JOIN terminals te ON te.id = g.terminal_id
       WHERE te.site_id = $1 AND te.revoked_at IS NULL AND t.deleted_at IS NULL ORDER BY t.id`,
      [siteId],
    );
    return rows.map((r) => r.id);
  }

  async insert(
    row: { id: string; name: string; siteId: string; codec: RadioCodec; createdBy: string },
    m: EntityManager,
  ): Promise<void> {
    await this.q(
      `INSERT INTO talkgroups (id, name, site_id, codec, created_by) VALUES ($1, $2, $3, $4, $5)`,
      [row.id, row.name, row.siteId, row.codec, row.createdBy],
      m,
    );
  }

  async update(id: string, change: { name?: string; codec?: RadioCodec }, m: EntityManager): Promise<void> {
    await this.q(
      `UPDATE talkgroups SET name = coalesce($2, name), codec = coalesce($3, codec) WHERE id = $1`,
      [id, change.name ?? null, change.codec ?? null],
      m,
    );
  }

  async softDelete(id: string, m: EntityManager): Promise<void> {
    await this.q(`DELETE FROM talkgroup_gateways WHERE talkgroup_id = $1`, [id], m);
    await this.q(`DELETE FROM talkgroup_patches WHERE a = $1 OR b = $1`, [id], m);
    await this.q(`UPDATE talkgroups SET deleted_at = now() WHERE id = $1`, [id], m);
  }

  /** Replaces the gateway list; the primary key refuses a gateway another talkgroup holds. */
  async setMembers(id: string, gatewayIds: string[], m: EntityManager): Promise<void> {
    // the gateways that stay keep their inhibit flags
    await this.q(
      `DELETE FROM talkgroup_gateways WHERE talkgroup_id = $1 AND NOT terminal_id = ANY($2::text[])`,
      [id, gatewayIds],
      m,
    );
    if (gatewayIds.length)
      await this.q(
        // no ON CONFLICT: a gateway another talkgroup took meanwhile must fail (23505), not vanish
        `INSERT INTO talkgroup_gateways (talkgroup_id, terminal_id)
         SELECT $1, x FROM unnest($2::text[]) AS x
         WHERE NOT EXISTS (SELECT 1 FROM talkgroup_gateways g WHERE g.terminal_id = x AND g.talkgroup_id = $1)`,
        [id, gatewayIds],
        m,
      );
  }

  // ---- transmissions ----

  async openTransmission(t: {
    id: string;
    talkgroupId: string;
    talker: RadioTalker;
    rank: FloorRank;
    directiveId: string | null;
    audioPath: string | null;
    startedAt: Date;
  }): Promise<void> {
    await this.q(
      `INSERT INTO transmissions (id, talkgroup_id, talker_kind, talker_id, talker_name, rank, directive_id, audio_path, started_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        t.id,
        t.talkgroupId,
        t.talker.kind,
        t.talker.id,
        t.talker.name.slice(0, 100),
        t.rank,
        t.directiveId,
        t.audioPath,
        t.startedAt,
      ],
    );
  }

  async closeTransmission(
    id: string,
    end: { bytes: number; durationMs: number | null; interrupted: boolean },
    m?: EntityManager,
  ): Promise<TransmissionRow | null> {
    const rows = await this.q(
      `UPDATE transmissions SET ended_at = now(), bytes = greatest(bytes, $2), duration_ms = $3, interrupted = $4
       WHERE id = $1 AND ended_at IS NULL RETURNING *`,
      [id, end.bytes, end.durationMs, end.interrupted],
      m,
    );
    return firstReturned<TransmissionRow>(rows);
  }

  /** the recording's size once its file is closed (the row may already be closed) */
  async setBytes(id: string, bytes: number): Promise<void> {
    await this.q(`UPDATE transmissions SET bytes = $2 WHERE id = $1`, [id, bytes]);
  }

  /** Rows a crash left open (no instance of `live` is still recording them). */
  openTransmissions(): Promise<TransmissionRow[]> {
    return this.q<TransmissionRow>(
      `SELECT * FROM transmissions WHERE ended_at IS NULL ORDER BY started_at LIMIT 1000`,
      [],
    );
  }

  async transmission(id: string): Promise<TransmissionRow | null> {
    const [row] = await this.q<TransmissionRow>(`SELECT * FROM transmissions WHERE id = $1`, [id]);
    return row ?? null;
  }

  transmissions(talkgroupId: string, limit: number): Promise<TransmissionRow[]> {
    return this.q<TransmissionRow>(
      `SELECT * FROM transmissions WHERE talkgroup_id = $1 ORDER BY started_at DESC, id LIMIT $2`,
      [talkgroupId, limit],
    );
  }

  /** Recordings past retention, oldest first: their files go, their rows stay. */
  expiredAudio(
    olderThanDays: number,
    limit: number,
  ): Promise<{ id: string; audio_path: string; bytes: number }[]> {
    return this.q(
      `SELECT id, audio_path, bytes FROM transmissions
       WHERE audio_path IS NOT NULL AND ended_at IS NOT NULL AND started_at < now() - make_interval(days => $1)
       ORDER BY started_at LIMIT $2`,
      [olderThanDays, limit],
    );
  }

  /** The oldest finished recordings, for trimming DATA_DIR/radio/ to its size limit. */
  oldestAudio(limit: number): Promise<{ id: string; audio_path: string; bytes: number }[]> {
    return this.q(
      `SELECT id, audio_path, bytes FROM transmissions WHERE audio_path IS NOT NULL AND ended_at IS NOT NULL
       ORDER BY started_at LIMIT $1`,
      [limit],
    );
  }

  async audioBytes(): Promise<number> {
    const [row] = await this.q<{ total: string | null }>(
      `SELECT sum(bytes) AS total FROM transmissions WHERE audio_path IS NOT NULL`,
      [],
    );
    return Number(row?.total ?? 0);
  }

  async dropAudio(ids: string[]): Promise<void> {
    await this.q(`UPDATE transmissions SET audio_path = NULL WHERE id = ANY($1::uuid[])`, [ids]);
  }

  // ---- emergencies and patches ----

  async insertEmergency(
    e: { id: string; talkgroupId: string; terminalId: string; transmissionId: string | null },
    m: EntityManager,
  ): Promise<EmergencyRow> {
    const rows = await this.q(
      `INSERT INTO radio_emergencies (id, talkgroup_id, terminal_id, transmission_id) VALUES ($1, $2, $3, $4) RETURNING *`,
      [e.id, e.talkgroupId, e.terminalId, e.transmissionId],
      m,
    );
    const row = firstReturned<EmergencyRow>(rows);
    if (!row) throw new Error('radio emergency not inserted');
    return row;
  }

  /** Emergencies of these talkgroups not yet acknowledged, newest first (at most 100). */
  openEmergencies(talkgroupIds: string[]): Promise<EmergencyRow[]> {
    if (!talkgroupIds.length) return Promise.resolve([]);
    return this.q<EmergencyRow>(
      `SELECT * FROM radio_emergencies WHERE acked_at IS NULL AND talkgroup_id = ANY($1::uuid[])
       ORDER BY raised_at DESC LIMIT 100`,
      [talkgroupIds],
    );
  }

  async emergency(id: string): Promise<EmergencyRow | null> {
    const [row] = await this.q<EmergencyRow>(`SELECT * FROM radio_emergencies WHERE id = $1`, [id]);
    return row ?? null;
  }

  /** null when it was already acknowledged */
  async ackEmergency(id: string, userId: string, m: EntityManager): Promise<EmergencyRow | null> {
    const rows = await this.q<EmergencyRow>(
      `UPDATE radio_emergencies SET acked_at = now(), acked_by = $2 WHERE id = $1 AND acked_at IS NULL RETURNING *`,
      [id, userId],
      m,
    );
    return firstReturned(rows);
  }

  async addPatch(a: string, b: string, userId: string, m: EntityManager): Promise<boolean> {
    const [x, y] = a < b ? [a, b] : [b, a];
    const rows = await this.q(
      `INSERT INTO talkgroup_patches (a, b, created_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING a`,
      [x, y, userId],
      m,
    );
    return firstReturned(rows) !== null;
  }

  async removePatch(a: string, b: string, m: EntityManager): Promise<boolean> {
    const [x, y] = a < b ? [a, b] : [b, a];
    const rows = await this.q(`DELETE FROM talkgroup_patches WHERE a = $1 AND b = $2 RETURNING a`, [x, y], m);
    return firstReturned(rows) !== null;
  }

  async patchesOf(id: string): Promise<string[]> {
    const rows = await this.q<{ other: string }>(
      `SELECT CASE WHEN a = $1 THEN b ELSE a END AS other FROM talkgroup_patches WHERE a = $1 OR b = $1`,
      [id],
    );
    return rows.map((r) => r.other);
  }
}

/**
 * `UPDATE/DELETE ... RETURNING` comes back from TypeORM's postgres driver as [rows, count]
 * and from an INSERT as rows: take the first returned row either way.
 */
function firstReturned<T>(result: unknown): T | null {
  if (!Array.isArray(result)) return null;
  if (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number')
    return (result[0][0] as T | undefined) ?? null;
  return (result[0] as T | undefined) ?? null;
}
