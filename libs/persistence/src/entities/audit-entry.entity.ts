import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Append-only: a trigger refuses UPDATE and DELETE; the hash chain detects what slips past it. */
@Entity({ name: 'audit_log' })
export class AuditEntryEntity {
  /** Gap-free, assigned under an advisory lock (a sequence would leave gaps on rollback). */
  @PrimaryColumn({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  seq!: number;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;

  @Column({ type: 'varchar', length: 100 })
  action!: string;

  @Column({ name: 'subject_type', type: 'varchar', length: 50 })
  subjectType!: string;

  @Column({ name: 'subject_id', type: 'text', nullable: true })
  subjectId!: string | null;

  @Column({ type: 'jsonb' })
  data!: Record<string, unknown>;

  @Column({ name: 'prev_hash', type: 'char', length: 64 })
  prevHash!: string;

  @Column({ type: 'char', length: 64 })
  hash!: string;
}
