import type {
  DailyReportChannel,
  DailyReportState,
  FindingKind,
  IncidentLevel,
  ReportKind,
} from '#contracts';
import type { RepKey } from '../../i18n/reporting.js';
import type { DeadlineKind } from './reporting-model.js';

export const LEVEL_KEY: Record<IncidentLevel, RepKey> = {
  I: 'levelI',
  II: 'levelII',
  III: 'levelIII',
  IV: 'levelIV',
  unrated: 'levelUnrated',
};
export const KIND_KEY: Record<ReportKind, RepKey> = {
  phone: 'kindPhone',
  initial: 'kindInitial',
  followup: 'kindFollowup',
  final: 'kindFinal',
};
export const DEADLINE_KEY: Record<DeadlineKind, RepKey> = {
  phone: 'deadlinePhone',
  written: 'deadlineWritten',
  followup: 'deadlineFollowup',
};
export const DAILY_KEY: Record<DailyReportState, RepKey> = {
  pending: 'dailyPending',
  submitted: 'dailySubmitted',
  zero: 'dailyZero',
  late: 'dailyLate',
  missing: 'dailyMissing',
};
export const CHANNEL_KEY: Record<DailyReportChannel, RepKey> = {
  console: 'channelConsole',
  terminal: 'channelTerminal',
  api: 'channelApi',
};
export const FINDING_KEY: Record<FindingKind, RepKey> = {
  late: 'findingLate',
  missed: 'findingMissed',
  concealed: 'findingConcealed',
};

/** The timeline's actions the console names; anything newer reads as a plain 记录. */
const TIMELINE_KEY: Record<string, RepKey> = {
  'incident.opened': 'tlOpened',
  'incident.open': 'tlOpened',
  'incident.create': 'tlOpened',
  'incident.registered': 'tlRegistered',
  'incident.register-external': 'tlRegistered',
  'incident.register_external': 'tlRegistered',
  'incident.close': 'tlClosed',
  'incident.closed': 'tlClosed',
  'report.submitted': 'tlSubmitted',
  'report.submit': 'tlSubmitted',
  'report.create': 'tlSubmitted',
  'report.signed': 'tlSigned',
  'report.sign': 'tlSigned',
  'report.due': 'tlDue',
  'report.overdue': 'tlOverdue',
  'report.escalated': 'tlEscalated',
  'finding.made': 'tlFinding',
  'finding.create': 'tlFinding',
  'finding.concealed': 'tlConcealed',
};
export const timelineKey = (action: string): RepKey => TIMELINE_KEY[action] ?? 'tlOther';

/** Written reports are signed off (签发); a phone report is not. */
export const isWritten = (kind: ReportKind) => kind !== 'phone';
