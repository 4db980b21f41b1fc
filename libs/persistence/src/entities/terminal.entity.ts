import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { TerminalKind, TerminalTelemetry } from '#contracts';

/** A push terminal (一呼百应终端) or radio-over-IP gateway; its id is its MQTT clientId and username. */
@Entity({ name: 'terminals' })
export class TerminalEntity {
  @PrimaryColumn({ type: 'varchar', length: 23 })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ name: 'site_id', type: 'uuid' })
  siteId!: string;

  @Column({ type: 'enum', enum: ['push', 'radio'], enumName: 'terminal_kind' })
  kind!: TerminalKind;

  @Column({ type: 'varchar', length: 64, nullable: true })
  talkgroup!: string | null;

  /** "$6$<salt>$<sha512>" as Mosquitto's password file writes it: one hash serves every broker */
  @Column({ name: 'secret_hash', type: 'text' })
  secretHash!: string;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ type: 'varchar', length: 8, default: 'never' })
  presence!: 'online' | 'offline' | 'never';

  @Column({ type: 'jsonb', nullable: true })
  telemetry!: TerminalTelemetry | null;

  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true })
  lastSeenAt!: Date | null;

  /** when a bridge last took on replaying this terminal's outbox (external brokers) */
  @Column({ name: 'replay_claimed_at', type: 'timestamptz', nullable: true, select: false })
  replayClaimedAt!: Date | null;

  /** the bridge process that vouches for `presence: online` (presence-ownership.ts); its own SQL keeps it */
  @Column({ name: 'presence_owner', type: 'text', nullable: true, select: false })
  presenceOwner!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
