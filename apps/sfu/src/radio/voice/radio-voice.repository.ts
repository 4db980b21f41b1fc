import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DirectiveStatus, RecipientState } from '#contracts';
import type { DtmfCandidate } from '#domain';

export interface BroadcastClaim {
  attempts: number;
  transmissionIds: string[];
}

/**
 * The SQL of the radio voice (docs/radio-voice.md): which target sites still wait for a
 * directive and have radio gateways, the broadcast records, the directives a DTMF code may
 * name, and a talker's name.
 */
@Injectable()
export class RadioVoiceRepository {
  constructor(private readonly db: DataSource) {}

  /** of `siteIds`, those still waiting for the directive's 签收 while it is issued and valid */
  async waitingSites(directiveId: string, siteIds: string[]): Promise<string[]> {
    const rows = (await this.db.query(
      `SELECT r.site_id FROM directive_recipients r JOIN directives d ON d.id = r.directive_id
       WHERE r.directive_id = $1 AND r.site_id = ANY($2::uuid[])
         AND r.state IN ('pending', 'delivered', 'failed') AND d.status = 'issued'
         AND (d.expires_at IS NULL OR d.expires_at > now())`,
      [directiveId, siteIds],
    )) as { site_id: string }[];
    return rows.map((r) => r.site_id);
  }

  /** of `siteIds`, the recipients of a directive that still stands (issued, not expired), in any state */
  async standingSites(directiveId: string, siteIds: string[]): Promise<string[]> {
    const rows = (await this.db.query(
      `SELECT r.site_id FROM directive_recipients r JOIN directives d ON d.id = r.directive_id
       WHERE r.directive_id = $1 AND r.site_id = ANY($2::uuid[]) AND d.status = 'issued'
         AND (d.expires_at IS NULL OR d.expires_at > now())`,
      [directiveId, siteIds],
    )) as { site_id: string }[];
    return rows.map((r) => r.site_id);
  }

  /** of `siteIds`, those with at least one radio gateway that is not revoked */
  async sitesWithRadios(siteIds: string[]): Promise<string[]> {
    const rows = (await this.db.query(
      `SELECT DISTINCT site_id FROM terminals
       WHERE site_id = ANY($1::uuid[]) AND kind = 'radio' AND revoked_at IS NULL`,
      [siteIds],
    )) as { site_id: string }[];
    return rows.map((r) => r.site_id);
  }

  /**
   * Takes the broadcast of one message on one talkgroup for `leaseSeconds`, counting the
   * try; null when it went out already, was given up, or another worker holds it.
   */
  async claim(
    b: { messageId: string; talkgroupId: string; directiveId: string; siteIds: string[]; job: unknown },
    leaseSeconds: number,
  ): Promise<BroadcastClaim | null> {
    const rows = (await this.db.query(
      `INSERT INTO radio_broadcasts (message_id, talkgroup_id, directive_id, site_ids, job, attempts, claimed_until)
       VALUES ($1, $2, $3, $4::uuid[], $6::jsonb, 1, now() + make_interval(secs => $5))
       ON CONFLICT (message_id, talkgroup_id) DO UPDATE
         SET attempts = radio_broadcasts.attempts + 1, claimed_until = EXCLUDED.claimed_until, updated_at = now()
         WHERE radio_broadcasts.state = 'waiting'
           AND (radio_broadcasts.claimed_until IS NULL OR radio_broadcasts.claimed_until < now())
       RETURNING attempts, transmission_ids`,
      [b.messageId, b.talkgroupId, b.directiveId, b.siteIds, leaseSeconds, JSON.stringify(b.job)],
    )) as { attempts: number; transmission_ids: string[] }[];
    return rows[0] ? { attempts: rows[0].attempts, transmissionIds: rows[0].transmission_ids } : null;
  }

  /**
   * Broadcasts whose lease ran out while claimed (the process playing them died): released,
   * with the job to start each again. Released at once so two sweeping instances don't both.
   */
  async takeExpiredLeases(limit: number): Promise<{ talkgroupId: string; attempts: number; job: unknown }[]> {
    const [rows] = (await this.db.query(
      `UPDATE radio_broadcasts SET claimed_until = NULL, updated_at = now()
       WHERE (message_id, talkgroup_id) IN (
         SELECT message_id, talkgroup_id FROM radio_broadcasts
         WHERE state = 'waiting' AND claimed_until < now() LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING talkgroup_id, attempts, job`,
      [limit],
    )) as [{ talkgroup_id: string; attempts: number; job: unknown }[], number];
    return rows.map((r) => ({ talkgroupId: r.talkgroup_id, attempts: r.attempts, job: r.job }));
  }

  /** a transmission of the broadcast went out (kept for the record and the re-run) */
  async addTransmission(messageId: string, talkgroupId: string, transmissionId: string): Promise<void> {
    await this.db.query(
      `UPDATE radio_broadcasts SET transmission_ids = array_append(transmission_ids, $3), updated_at = now()
       WHERE message_id = $1 AND talkgroup_id = $2`,
      [messageId, talkgroupId, transmissionId],
    );
  }

  /** the broadcast ends: `sent`, `failed` with the reason, or `waiting` again (released for a retry) */
  async settle(
    messageId: string,
    talkgroupId: string,
    state: 'sent' | 'failed' | 'waiting',
    reason: string | null,
  ): Promise<void> {
    await this.db.query(
      `UPDATE radio_broadcasts SET state = $3, reason = $4, claimed_until = NULL, updated_at = now()
       WHERE message_id = $1 AND talkgroup_id = $2`,
      [messageId, talkgroupId, state, reason],
    );
  }

  async broadcast(
    messageId: string,
    talkgroupId: string,
  ): Promise<{ state: string; attempts: number; reason: string | null; transmissionIds: string[] } | null> {
    const rows = (await this.db.query(
      `SELECT state, attempts, reason, transmission_ids FROM radio_broadcasts WHERE message_id = $1 AND talkgroup_id = $2`,
      [messageId, talkgroupId],
    )) as { state: string; attempts: number; reason: string | null; transmission_ids: string[] }[];
    const r = rows[0];
    return r
      ? { state: r.state, attempts: r.attempts, reason: r.reason, transmissionIds: r.transmission_ids }
      : null;
  }

  /**
   * Directives whose serial is one of `serials` (the code's number in this year and the
   * last: an exact match on the serial's unique index), with `siteId`'s recipient state.
   */
  async dtmfCandidates(serials: string[], siteId: string): Promise<DtmfCandidate[]> {
    const rows = (await this.db.query(
      `SELECT d.id, d.serial, d.status, d.issued_at, d.expires_at, r.state
       FROM directives d LEFT JOIN directive_recipients r ON r.directive_id = d.id AND r.site_id = $2
       WHERE d.serial = ANY($1::varchar[])`,
      [serials, siteId],
    )) as {
      id: string;
      serial: string;
      status: DirectiveStatus;
      issued_at: Date;
      expires_at: Date | null;
      state: RecipientState | null;
    }[];
    return rows.map((r) => ({
      directiveId: r.id,
      serial: r.serial,
      status: r.status,
      issuedAt: new Date(r.issued_at),
      expiresAt: r.expires_at ? new Date(r.expires_at) : null,
      recipientState: r.state,
    }));
  }

  async userName(userId: string): Promise<string | null> {
    const rows = (await this.db.query(`SELECT display_name, username FROM users WHERE id = $1`, [
      userId,
    ])) as {
      display_name: string | null;
      username: string;
    }[];
    return rows[0] ? (rows[0].display_name ?? rows[0].username) : null;
  }
}
