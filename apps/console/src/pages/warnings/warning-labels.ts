import type { WarningLevelName, WarningMsgType, WarningState, WarningStatus, WarningStep } from '#contracts';
import type { MessageKey } from '../../i18n/index.js';

/** Browser-side copy of the contract's order (a value import is fine here, but one list reads better). */
export const WARNING_LEVEL_ORDER: readonly WarningLevelName[] = ['red', 'orange', 'yellow', 'blue'];

export const LEVEL_KEY: Record<WarningLevelName, MessageKey> = {
  red: 'warn.level.red',
  orange: 'warn.level.orange',
  yellow: 'warn.level.yellow',
  blue: 'warn.level.blue',
};

export const GRADE_KEY: Record<WarningLevelName, MessageKey> = {
  red: 'warn.grade.red',
  orange: 'warn.grade.orange',
  yellow: 'warn.grade.yellow',
  blue: 'warn.grade.blue',
};

export const STATE_KEY: Record<WarningState, MessageKey> = {
  draft: 'warn.state.draft',
  review: 'warn.state.review',
  approved: 'warn.state.approved',
  published: 'warn.state.published',
  superseded: 'warn.state.superseded',
  cancelled: 'warn.state.cancelled',
  expired: 'warn.state.expired',
};

export const STATUS_KEY: Record<WarningStatus, MessageKey> = {
  Actual: 'warn.status.Actual',
  Exercise: 'warn.status.Exercise',
  Test: 'warn.status.Test',
};

/** The marker of a message that is not the first: 「变更」 or 「解除」 (an Alert needs none). */
export const MSG_KEY: Partial<Record<WarningMsgType, MessageKey>> = {
  Update: 'warn.msg.Update',
  Cancel: 'warn.msg.Cancel',
};

export const STEP_KEY: Record<WarningStep, MessageKey> = {
  created: 'warn.step.created',
  imported: 'warn.step.imported',
  submitted: 'warn.step.submitted',
  approved: 'warn.step.approved',
  rejected: 'warn.step.rejected',
  published: 'warn.step.published',
  emergency_published: 'warn.step.emergency_published',
  updated: 'warn.step.updated',
  cancelled: 'warn.step.cancelled',
  expired: 'warn.step.expired',
};
