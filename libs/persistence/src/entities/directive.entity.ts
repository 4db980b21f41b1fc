import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { DirectiveLevel, DirectiveStatus, DirectiveTargets, RecipientState } from '#contracts';

/**
 * The directive family (migration 1795000100000). Hot paths (issue, ack, escalation) use
 * explicit SQL for conditional updates and batching; these entities serve simple reads.
 */
@Entity({ name: 'directives' })
export class DirectiveEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 20 }) serial!: string;
  @Column({ type: 'text' }) title!: string;
  @Column({ type: 'text' }) body!: string;
  @Column({ type: 'enum', enum: ['red', 'orange', 'yellow', 'blue'], enumName: 'directive_level' })
  level!: DirectiveLevel;
  @Column({ type: 'enum', enum: ['issued', 'cancelled', 'closed'], enumName: 'directive_status' })
  status!: DirectiveStatus;
  @Column({ name: 'ack_within_seconds', type: 'int' }) ackWithinSeconds!: number;
  @Column({ name: 'ack_by', type: 'timestamptz' }) ackBy!: Date;
  @Column({ type: 'boolean' }) drill!: boolean;
  @Column({ name: 'issued_by', type: 'uuid' }) issuedBy!: string;
  @Column({ name: 'issuer_site_id', type: 'uuid' }) issuerSiteId!: string;
  @Column({ name: 'issuer_site_path', type: 'text' }) issuerSitePath!: string;
  @Column({ name: 'template_id', type: 'uuid', nullable: true }) templateId!: string | null;
  @Column({ name: 'issued_at', type: 'timestamptz' }) issuedAt!: Date;
  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true }) cancelledAt!: Date | null;
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true }) closedAt!: Date | null;
}

@Entity({ name: 'directive_recipients' })
export class DirectiveRecipientEntity {
  @PrimaryColumn({ name: 'directive_id', type: 'uuid' }) directiveId!: string;
  @PrimaryColumn({ name: 'site_id', type: 'uuid' }) siteId!: string;
  @Column({
    type: 'enum',
    enum: ['pending', 'delivered', 'acknowledged', 'completed', 'expired', 'failed'],
    enumName: 'recipient_state',
  })
  state!: RecipientState;
  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true }) deliveredAt!: Date | null;
  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true }) acknowledgedAt!: Date | null;
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true }) completedAt!: Date | null;
  @Column({ type: 'boolean' }) overdue!: boolean;
  @Column({ name: 'escalation_level', type: 'int' }) escalationLevel!: number;
  @Column({ name: 'next_escalation_at', type: 'timestamptz', nullable: true }) nextEscalationAt!: Date | null;
}

@Entity({ name: 'site_groups' })
export class SiteGroupEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 100 }) name!: string;
  @Column({ name: 'owner_site_id', type: 'uuid' }) ownerSiteId!: string;
  @Column({ name: 'owner_site_path', type: 'text' }) ownerSitePath!: string;
  @Column({ name: 'created_by', type: 'uuid' }) createdBy!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity({ name: 'directive_templates' })
export class DirectiveTemplateEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 100 }) name!: string;
  @Column({ type: 'text' }) title!: string;
  @Column({ type: 'text' }) body!: string;
  @Column({ type: 'enum', enum: ['red', 'orange', 'yellow', 'blue'], enumName: 'directive_level' })
  level!: DirectiveLevel;
  @Column({ name: 'ack_within_seconds', type: 'int', nullable: true }) ackWithinSeconds!: number | null;
  @Column({ type: 'jsonb', nullable: true }) targets!: DirectiveTargets | null;
  @Column({ name: 'owner_site_id', type: 'uuid' }) ownerSiteId!: string;
  @Column({ name: 'owner_site_path', type: 'text' }) ownerSitePath!: string;
  @Column({ name: 'created_by', type: 'uuid' }) createdBy!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** 领导带班: the leader on duty at a site. */
@Entity({ name: 'duty_leaders' })
export class DutyLeaderEntity {
  @PrimaryColumn({ name: 'site_id', type: 'uuid' }) siteId!: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId!: string;
  @Column({ name: 'set_by', type: 'uuid', nullable: true }) setBy!: string | null;
  @Column({ type: 'timestamptz' }) since!: Date;
}
