import type { zhReportingNav } from './zh-reporting-nav.js';

export const enReportingNav: Record<keyof typeof zhReportingNav, string> = {
  'rep.navReporting': 'Reporting',
  'rep.navBoard': 'Reporting board',
  'rep.navDaily': 'Daily reports',
  'rep.navMonthly': 'Reporting review',
  'rep.soundOff': 'Sound is off: reporting alerts will not ring',
  'rep.drill': 'Drill',
  'rep.daily': 'Daily report',
  'rep.dueAt': 'due',
  'rep.alertDue': 'due soon',
  'rep.alertOverdue': 'overdue',
  'rep.open': 'Open',
  'rep.ack': 'Acknowledge',
  'rep.escalatedTo': 'escalated to',
  'rep.kindPhone': 'phone report',
  'rep.kindInitial': 'first written report',
  'rep.kindFollowup': 'follow-up',
  'rep.kindFinal': 'final report',
};
