import { AuditEntryEntity } from './audit-entry.entity.js';
import {
  DirectiveEntity,
  DirectiveRecipientEntity,
  DirectiveTemplateEntity,
  DutyLeaderEntity,
  SiteGroupEntity,
} from './directive.entity.js';
import {
  ConsultationAttendanceEntity,
  ConsultationEntity,
  RecordingEntity,
  RollCallAnswerEntity,
  RollCallEntity,
} from './consultation.entity.js';
import { JobEntity } from './job.entity.js';
import { SiteEntity } from './site.entity.js';
import { TerminalMessageEntity } from './terminal-message.entity.js';
import { TerminalEntity } from './terminal.entity.js';
import { UserEntity } from './user.entity.js';

export { AuditEntryEntity, JobEntity, SiteEntity, UserEntity };
export { TerminalEntity, TerminalMessageEntity };
export {
  DirectiveEntity,
  DirectiveRecipientEntity,
  DirectiveTemplateEntity,
  DutyLeaderEntity,
  SiteGroupEntity,
};

export {
  ConsultationEntity,
  ConsultationAttendanceEntity,
  RollCallEntity,
  RollCallAnswerEntity,
  RecordingEntity,
};

export const ENTITIES = [
  SiteEntity,
  UserEntity,
  AuditEntryEntity,
  JobEntity,
  TerminalEntity,
  TerminalMessageEntity,
  DirectiveEntity,
  DirectiveRecipientEntity,
  SiteGroupEntity,
  DirectiveTemplateEntity,
  DutyLeaderEntity,
  ConsultationEntity,
  ConsultationAttendanceEntity,
  RollCallEntity,
  RollCallAnswerEntity,
  RecordingEntity,
];
