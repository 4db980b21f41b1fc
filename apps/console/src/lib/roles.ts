import type { Role } from '#contracts';
import type { MessageKey } from '../i18n/index.js';

export type PageId =
  | 'duty'
  | 'board'
  | 'terminals'
  | 'consult'
  | 'radio'
  | 'audit'
  | 'spotchecks'
  | 'dutystats'
  | 'roster'
  | 'handover'
  | 'dutylog'
  | 'warnings'
  | 'reporting'
  | 'reportboard'
  | 'dailyreports'
  | 'reportstats'
  | 'drills'
  | 'teams'
  | 'stock'
  | 'experts'
  | 'plans';

const EVERYONE: Role[] = ['admin', 'commander', 'dispatcher', 'duty_officer'];

export const PAGES: { id: PageId; path: string; label: MessageKey; roles: Role[] }[] = [
  { id: 'duty', path: '/duty', label: 'navDuty', roles: ['duty_officer'] },
  { id: 'board', path: '/board', label: 'navBoard', roles: ['admin', 'commander', 'dispatcher'] },
  {
    id: 'terminals',
    path: '/terminals',
    label: 'navTerminals',
    roles: ['admin', 'commander', 'dispatcher', 'duty_officer'],
  },
  {
    id: 'consult',
    path: '/consult',
    label: 'navConsult',
    roles: ['admin', 'commander', 'dispatcher', 'duty_officer'],
  },
  {
    id: 'spotchecks',
    path: '/spot-checks',
    label: 'navSpotChecks',
    roles: ['admin', 'commander', 'dispatcher'],
  },
  {
    id: 'dutystats',
    path: '/duty-stats',
    label: 'navDutyStats',
    roles: ['admin', 'commander', 'dispatcher', 'duty_officer'],
  },
  {
    id: 'radio',
    path: '/radio',
    label: 'navRadio',
    roles: ['admin', 'commander', 'dispatcher', 'duty_officer'],
  },
  { id: 'audit', path: '/audit', label: 'navAudit', roles: ['admin'] },
  { id: 'roster', path: '/roster', label: 'duty.navRoster', roles: EVERYONE },
  { id: 'handover', path: '/handover', label: 'duty.navHandover', roles: EVERYONE },
  { id: 'dutylog', path: '/duty-log', label: 'duty.navLog', roles: EVERYONE },
  { id: 'warnings', path: '/warnings', label: 'warn.nav', roles: ['admin', 'commander', 'dispatcher'] },
  { id: 'reporting', path: '/reporting', label: 'rep.navReporting', roles: EVERYONE },
  {
    id: 'reportboard',
    path: '/report-board',
    label: 'rep.navBoard',
    roles: ['admin', 'commander', 'dispatcher'],
  },
  { id: 'dailyreports', path: '/daily-reports', label: 'rep.navDaily', roles: EVERYONE },
  { id: 'reportstats', path: '/report-stats', label: 'rep.navMonthly', roles: EVERYONE },
  { id: 'drills', path: '/drills', label: 'drill.nav', roles: EVERYONE },
  { id: 'teams', path: '/teams', label: 'team.nav', roles: EVERYONE },
  { id: 'stock', path: '/stock', label: 'stock.nav', roles: EVERYONE },
  { id: 'experts', path: '/experts', label: 'expert.nav', roles: EVERYONE },
  { id: 'plans', path: '/plans', label: 'plan.nav', roles: EVERYONE },
];

/** Where each role lands after login. */
export const LANDING: Record<Role, string> = {
  duty_officer: '/duty',
  dispatcher: '/board',
  commander: '/board',
  admin: '/audit',
};

export const ROLE_LABEL: Record<Role, MessageKey> = {
  admin: 'roleAdmin',
  commander: 'roleCommander',
  dispatcher: 'roleDispatcher',
  duty_officer: 'roleDutyOfficer',
};
