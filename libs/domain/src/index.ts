export * from './access-policy.js';
export * from './site-tree.js';
export * from './audit-chain.js';
export * from './device-acl.js';
export * from './directives.js';
export * from './consultations.js';
export * from './device-clock.js';
export * from './password-policy.js';
export * from './login-throttle.js';
export * from './rule-denial.js';
export * from './targeting.js';
export * from './directive-access.js';
export * from './directive-extension.js';
export * from './leader-on-duty.js';
export * from './recipient-transitions.js';
export * from './escalation-ladder.js';
export * from './radio-speech.js';
export * from './radio-dtmf.js';
export {
  canUseTalkgroup,
  gatewayDenial,
  radioTalkRank,
  talkgroupManageDenial,
  type TalkgroupSite,
} from './radio-access.js';
export * from './radio-rate.js';
export * from './spot-checks.js';
export * from './shanghai-time.js';
export * from './duty-roster.js';
export * from './duty-handover.js';
export * from './duty-log.js';
export * from './reporting.js';
export * from './daily-reports.js';
export * from './warnings.js';
export * from './drill-consultations.js';
export * from './drills.js';
export * from './teams.js';
export * from './plans.js';
export * from './csv.js';
export * from './teams-csv.js';
export * from './stock.js';
