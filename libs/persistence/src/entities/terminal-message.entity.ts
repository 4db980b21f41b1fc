import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { TerminalMessageState } from '#contracts';

/** One directive on its way to one terminal: the outbox that survives broker and bridge restarts. */
@Entity({ name: 'terminal_messages' })
export class TerminalMessageEntity {
  /** the protocol's messageId */
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'bigint', insert: false, update: false })
  seq!: string;

  @Column({ name: 'terminal_id', type: 'varchar', length: 23 })
  terminalId!: string;

  @Column({ name: 'directive_id', type: 'text' })
  directiveId!: string;

  /** what caused this message (the delivery job's messageId): one message per terminal and source */
  @Column({ name: 'source_id', type: 'text' })
  sourceId!: string;

  /** the device topic leaf it goes out on: `directives` or `notices` */
  @Column({ type: 'varchar', length: 16, default: 'directives' })
  topic!: 'directives' | 'notices';

  /** the message as JSON text, sent to the device exactly as stored */
  @Column({ type: 'text' })
  payload!: string;

  @Column({
    type: 'enum',
    enum: ['queued', 'sent', 'received', 'acknowledged', 'expired'],
    enumName: 'terminal_message_state',
    default: 'queued',
  })
  state!: TerminalMessageState;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'send_count', type: 'int', default: 0 })
  sendCount!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @Column({ name: 'received_at', type: 'timestamptz', nullable: true })
  receivedAt!: Date | null;

  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt!: Date | null;

  @Column({ name: 'expired_at', type: 'timestamptz', nullable: true })
  expiredAt!: Date | null;
}
