import type { DataSource } from 'typeorm';
import type { TerminalTelemetry } from '#contracts';

export interface PresenceUpdate {
  terminalId: string;
  presence: 'online' | 'offline';
  telemetry?: TerminalTelemetry;
}

/** Terminal presence in the database: what devices said, and what dead bridges left behind. */
export class PresenceStore {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * One statement per batch. `owner`: the bridge process whose embedded broker holds the
   * connection (null: an external broker's statuses). An `offline` from one bridge does not
   * undo a device's newer `online` held by another (it moved between bridges).
   */
  async record(list: PresenceUpdate[], owner: string | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE terminals t SET presence = v.presence, last_seen_at = now(),
         telemetry = coalesce(v.telemetry::jsonb, t.telemetry),
         presence_owner = CASE WHEN v.presence = 'online' THEN $4::text END,
         -- gone: its next \`online\` is a new connection, for a bridge to replay (see TerminalDelivery)
         replay_claimed_at = CASE WHEN v.presence = 'offline' THEN NULL ELSE t.replay_claimed_at END
       FROM unnest($1::text[], $2::text[], $3::text[]) AS v(id, presence, telemetry)
       WHERE t.id = v.id AND t.revoked_at IS NULL
         AND (v.presence = 'online' OR $4::text IS NULL OR t.presence_owner IS NULL OR t.presence_owner = $4::text)`,
      [
        list.map((i) => i.terminalId),
        list.map((i) => i.presence),
        list.map((i) => (i.telemetry ? JSON.stringify(i.telemetry) : null)),
        owner,
      ],
    );
  }

  async heartbeat(instance: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO bridge_heartbeats (instance, seen_at) VALUES ($1, now())
       ON CONFLICT (instance) DO UPDATE SET seen_at = now()`,
      [instance],
    );
  }

  /**
   * Terminals `online` on the word of a bridge other than `instance` that is gone: every
   * other one (`allOthers`: the database is this process's alone), or those whose heartbeat
   * is older than `staleSeconds`. An `online` with no owner (an external broker's, or from
   * before owners were kept) has no live connection behind it on an embedded broker either.
   */
  async orphansOffline(instance: string, allOthers: boolean, staleSeconds: number): Promise<number> {
    const [, count] = (await this.dataSource.query(
      `UPDATE terminals t SET presence = 'offline', presence_owner = NULL, replay_claimed_at = NULL
       WHERE t.presence = 'online' AND t.presence_owner IS DISTINCT FROM $1
         AND ($2 OR t.presence_owner IS NULL OR NOT EXISTS (
           SELECT 1 FROM bridge_heartbeats h
           WHERE h.instance = t.presence_owner AND h.seen_at > now() - make_interval(secs => $3))) `,
      [instance, allOthers, staleSeconds],
    )) as [unknown, number];
    await this.dataSource.query(
      `DELETE FROM bridge_heartbeats WHERE instance <> $1 AND seen_at < now() - make_interval(secs => $2)`,
      [instance, Math.max(staleSeconds, 3600)],
    );
    return count;
  }

  /** a bridge stopping: its devices' connections end with its broker */
  async release(instance: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE terminals SET presence = 'offline', presence_owner = NULL, replay_claimed_at = NULL
       WHERE presence = 'online' AND presence_owner = $1`,
      [instance],
    );
    await this.dataSource.query(`DELETE FROM bridge_heartbeats WHERE instance = $1`, [instance]);
  }

  /**
   * External broker: an `online` the broker did not announce again since `sinceSeconds` ago,
   * when the bridge subscribed (it re-sends every retained status on a SUBSCRIBE [MQTT-3.8.4-3]),
   * has no connection behind it (a broker that restarted without its retained messages).
   */
  async unannouncedOffline(sinceSeconds: number): Promise<number> {
    const [, count] = (await this.dataSource.query(
      `UPDATE terminals SET presence = 'offline', replay_claimed_at = NULL
       WHERE presence = 'online' AND presence_owner IS NULL
         AND last_seen_at < now() - make_interval(secs => $1)`,
      [sinceSeconds],
    )) as [unknown, number];
    return count;
  }
}
