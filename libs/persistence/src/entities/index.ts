import {
  ConsultationAttendanceEntity,
  ConsultationEntity,
  RecordingEntity,
  RollCallAnswerEntity,
  RollCallEntity,
} from './consultation.entity.js';
import { SiteEntity } from './site.entity.js';
import { TerminalEntity } from './terminal.entity.js';
import { UserEntity } from './user.entity.js';

export { SiteEntity, UserEntity, TerminalEntity };
export {
  ConsultationEntity,
  ConsultationAttendanceEntity,
  RollCallEntity,
  RollCallAnswerEntity,
  RecordingEntity,
};

/**
 * The tables read and written through TypeORM repositories. Every other table (directives and
 * their recipients, the job queue, the audit log, the terminal outbox) is reached with SQL in
 * the class that owns it, so it has no entity to fall out of step with the schema.
 */
export const ENTITIES = [
  SiteEntity,
  UserEntity,
  TerminalEntity,
  ConsultationEntity,
  ConsultationAttendanceEntity,
  RollCallEntity,
  RollCallAnswerEntity,
  RecordingEntity,
];
