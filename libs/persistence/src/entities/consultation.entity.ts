import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ConsultationState, RecordingState } from '#contracts';

/** A video consultation (视频会商) hosted by a command site with invited sites. */
@Entity({ name: 'consultations' })
export class ConsultationEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({
    type: 'enum',
    enum: ['scheduled', 'live', 'ended'],
    enumName: 'consultation_state',
    default: 'scheduled',
  })
  state!: ConsultationState;

  @Column({ name: 'host_site_id', type: 'uuid' })
  hostSiteId!: string;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  @Column({ name: 'site_ids', type: 'uuid', array: true })
  siteIds!: string[];

  @Column({ name: 'directive_id', type: 'uuid', nullable: true })
  directiveId!: string | null;

  /** 演练: opened by a drill's response (docs/plans.md) */
  @Column({ name: 'drill_id', type: 'uuid', nullable: true })
  drillId!: string | null;

  @Column({ name: 'scheduled_at', type: 'timestamptz', nullable: true })
  scheduledAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;
}

@Entity({ name: 'consultation_attendance' })
export class ConsultationAttendanceEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'consultation_id', type: 'uuid' })
  consultationId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'site_id', type: 'uuid' })
  siteId!: string;

  @Column({ name: 'joined_at', type: 'timestamptz', default: () => 'now()' })
  joinedAt!: Date;

  @Column({ name: 'left_at', type: 'timestamptz', nullable: true })
  leftAt!: Date | null;

  @Column({ name: 'left_reason', type: 'varchar', length: 16, nullable: true })
  leftReason!: string | null;
}

@Entity({ name: 'consultation_roll_calls' })
export class RollCallEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'consultation_id', type: 'uuid' })
  consultationId!: string;

  @Column({ name: 'started_by', type: 'uuid' })
  startedBy!: string;

  @Column({ name: 'site_ids', type: 'uuid', array: true })
  siteIds!: string[];

  @Column({ name: 'started_at', type: 'timestamptz', default: () => 'now()' })
  startedAt!: Date;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;
}

@Entity({ name: 'consultation_roll_call_answers' })
export class RollCallAnswerEntity {
  @PrimaryColumn({ name: 'roll_call_id', type: 'uuid' })
  rollCallId!: string;

  @PrimaryColumn({ name: 'site_id', type: 'uuid' })
  siteId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'answered_at', type: 'timestamptz', default: () => 'now()' })
  answeredAt!: Date;
}

@Entity({ name: 'consultation_recordings' })
export class RecordingEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'consultation_id', type: 'uuid' })
  consultationId!: string;

  @Column({
    type: 'enum',
    enum: ['recording', 'stopped', 'interrupted', 'failed'],
    enumName: 'recording_state',
    default: 'recording',
  })
  state!: RecordingState;

  @Column({ name: 'started_by', type: 'uuid' })
  startedBy!: string;

  @Column({ name: 'started_at', type: 'timestamptz', default: () => 'now()' })
  startedAt!: Date;

  @Column({ name: 'stopped_at', type: 'timestamptz', nullable: true })
  stoppedAt!: Date | null;

  /** paths relative to DATA_DIR, one per segment */
  @Column({ type: 'jsonb', default: () => `'[]'` })
  files!: string[];

  @Column({ type: 'text', nullable: true })
  error!: string | null;
}
