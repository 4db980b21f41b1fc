import type { AuditEntryView, OnBehalfRecord } from '#contracts';
import type { MessageKey } from '../i18n/index.js';
import { onBehalfSummary } from '../lib/on-behalf.js';

/** Names the log refers to by id, gathered from the users, sites, directives and terminals the admin can read. */
export interface AuditNames {
  user: (id: string | null | undefined) => string | null;
  site: (id: string | null | undefined) => string | null;
  /** "2026-0012 《title》" */
  directive: (id: string | null | undefined) => string | null;
  terminal: (id: string | null | undefined) => string | null;
}

type T = (k: MessageKey) => string;

/** Kinds of entries the filter offers, by action prefix. */
export const AUDIT_KINDS = [
  'directive',
  'ack',
  'onBehalf',
  'terminal',
  'admin',
  'consultation',
  'denied',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export function kindsOf(e: AuditEntryView): AuditKind[] {
  const a = e.action;
  if (a === 'directive.ack') return e.data.via === 'on_behalf' ? ['ack', 'onBehalf'] : ['ack'];
  if (a.startsWith('directive.')) return ['directive'];
  if (a.startsWith('terminal.')) return ['terminal'];
  if (a.startsWith('consultation.')) return ['consultation'];
  if (a === 'access.denied') return ['denied'];
  return ['admin'];
}

/**
 * The sentence of each action the server records; audit-actions.spec.ts greps the server for
 * the actions it writes and fails on one missing here.
 */
export const AUDIT_SENTENCES: Record<string, MessageKey> = {
  'directive.ack': 'record.audit.directive.ack',
  'directive.issue': 'record.audit.directive.issue',
  'directive.delivered': 'record.audit.directive.delivered',
  'directive.delivery_failed': 'record.audit.directive.failed',
  'directive.feedback': 'record.audit.directive.feedback',
  'directive.resend': 'record.audit.directive.resend',
  'directive.escalate.requested': 'record.audit.directive.escalateRequested',
  'directive.escalate': 'record.audit.directive.escalate',
  'directive.expire': 'record.audit.directive.expire',
  'directive.close': 'record.audit.directive.close',
  'directive.cancel': 'record.audit.directive.cancel',
  'directive.update': 'record.audit.directive.update',
  'terminal.create': 'record.audit.terminal.create',
  'terminal.rotate': 'record.audit.terminal.rotate',
  'terminal.revoke': 'record.audit.terminal.revoke',
  'terminal.test_call': 'record.audit.terminal.testCall',
  'user.create': 'record.audit.user.create',
  'site.create': 'record.audit.site.create',
  'site.update': 'record.audit.site.update',
  'site.delete': 'record.audit.site.delete',
  'site_group.create': 'record.audit.group.create',
  'site_group.delete': 'record.audit.group.delete',
  'directive_template.create': 'record.audit.template.create',
  'directive_template.delete': 'record.audit.template.delete',
  'duty.leader': 'record.audit.dutyLeader',
  'access.denied': 'record.audit.denied',
  'system.bootstrap': 'record.audit.bootstrap',
  'consultation.create': 'record.audit.consult.create',
  'consultation.join': 'record.audit.consult.join',
  'consultation.end': 'record.audit.consult.end',
  'consultation.rollcall.start': 'record.audit.consult.rollcallStart',
  'consultation.rollcall.close': 'record.audit.consult.rollcallClose',
  'consultation.mute': 'record.audit.consult.mute',
  'consultation.unmute': 'record.audit.consult.unmute',
  'consultation.remove': 'record.audit.consult.remove',
  'consultation.recording.start': 'record.audit.consult.recordingStart',
  'consultation.recording.stop': 'record.audit.consult.recordingStop',
  'auth.login': 'record.audit.auth.login',
  'auth.login_failed': 'record.audit.auth.login_failed',
  'auth.login_throttled': 'record.audit.auth.login_throttled',
  'auth.login_slowed': 'record.audit.auth.login_slowed',
  'user.update': 'record.audit.user.update',
  'user.disable': 'record.audit.user.disable',
  'user.enable': 'record.audit.user.enable',
  'directive.ack.refused': 'record.audit.directive.ack.refused',
  'directive.expiry_moved': 'record.audit.directive.expiry_moved',
  'directive.extend': 'record.audit.directive.extend',
  'directive.revise': 'record.audit.directive.revise',
  'daily.round.open': 'record.audit.daily.round.open',
  'daily.report.submit': 'record.audit.daily.report.submit',
  'daily.round.remind': 'record.audit.daily.round.remind',
  'daily.round.overdue': 'record.audit.daily.round.overdue',
  'daily.round.close': 'record.audit.daily.round.close',
  'incident.open': 'record.audit.incident.open',
  'incident.register_external': 'record.audit.incident.register_external',
  'incident.close': 'record.audit.incident.close',
  'report.submit': 'record.audit.report.submit',
  'report.sign': 'record.audit.report.sign',
  'report.due': 'record.audit.report.due',
  'report.overdue': 'record.audit.report.overdue',
  'report.escalated': 'record.audit.report.escalated',
  'reporting.rules.update': 'record.audit.reporting.rules.update',
  'finding.made': 'record.audit.finding.made',
  'finding.concealed': 'record.audit.finding.concealed',
  'duty.shift.create': 'record.audit.duty.shift.create',
  'duty.shift.delete': 'record.audit.duty.shift.delete',
  'duty.rotation.create': 'record.audit.duty.rotation.create',
  'duty.handover.create': 'record.audit.duty.handover.create',
  'duty.handover.confirm': 'record.audit.duty.handover.confirm',
  'duty.handover.overdue': 'record.audit.duty.handover.overdue',
  'duty.log.append': 'record.audit.duty.log.append',
  'spotcheck.start': 'record.audit.spotcheck.start',
  'spotcheck.answer': 'record.audit.spotcheck.answer',
  'spotcheck.settled': 'record.audit.spotcheck.settled',
  'spotcheck.escalated': 'record.audit.spotcheck.escalated',
  'spotcheck.schedule': 'record.audit.spotcheck.schedule',
  'spotcheck.schedule.disable': 'record.audit.spotcheck.schedule.disable',
  'warning.created': 'record.audit.warning.created',
  'warning.imported': 'record.audit.warning.imported',
  'warning.submitted': 'record.audit.warning.submitted',
  'warning.approved': 'record.audit.warning.approved',
  'warning.rejected': 'record.audit.warning.rejected',
  'warning.published': 'record.audit.warning.published',
  'warning.emergency_published': 'record.audit.warning.emergency_published',
  'warning.publish': 'record.audit.warning.publish',
  'warning.emergency_publish': 'record.audit.warning.emergency_publish',
  'warning.updated': 'record.audit.warning.updated',
  'warning.cancelled': 'record.audit.warning.cancelled',
  'warning.expired': 'record.audit.warning.expired',
  'plan.create': 'record.audit.plan.create',
  'plan.version': 'record.audit.plan.version',
  'response.start': 'record.audit.response.start',
  'response.level': 'record.audit.response.level',
  'response.end': 'record.audit.response.end',
  'response.retry': 'record.audit.response.retry',
  'drill.create': 'record.audit.drill.create',
  'drill.end': 'record.audit.drill.end',
  'team.create': 'record.audit.team.create',
  'team.update': 'record.audit.team.update',
  'team.alert': 'record.audit.team.alert',
  'depot.create': 'record.audit.depot.create',
  'stock.item.create': 'record.audit.stock.item.create',
  'stock.dispatch': 'record.audit.stock.dispatch',
  'stock.import': 'record.audit.stock.import',
  'expert.create': 'record.audit.expert.create',
  'expert.update': 'record.audit.expert.update',
  'expert.invite': 'record.audit.expert.invite',
  'expert.import': 'record.audit.expert.import',
  'radio.emergency': 'record.audit.radio.emergency',
  'radio.emergency.ack': 'record.audit.radio.emergency.ack',
  'radio.transmission': 'record.audit.radio.transmission',
  'radio.talkgroup.create': 'record.audit.radio.talkgroup.create',
  'radio.talkgroup.update': 'record.audit.radio.talkgroup.update',
  'radio.talkgroup.delete': 'record.audit.radio.talkgroup.delete',
  'radio.talkgroup.patch': 'record.audit.radio.talkgroup.patch',
  'radio.talkgroup.unpatch': 'record.audit.radio.talkgroup.unpatch',
  'radio.gateway.inhibit': 'record.audit.radio.gateway.inhibit',
};

/** How a delivery or 签收 came, in the reader's words (channels, 代签收, the system). */
export const VIA: Record<string, MessageKey> = {
  console: 'chConsole',
  terminal: 'chTerminal',
  radio: 'chRadio',
  on_behalf: 'ackOnBehalf',
  system: 'record.via.system',
};

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? '');
}

/**
 * One audit entry as a sentence a duty leader can read aloud: who did what to which
 * directive, site or terminal, by name, serial and title, with the 代签收 record in full.
 * Ids the admin cannot resolve show shortened; an action this console does not know yet
 * reads as "performed another operation" rather than its English key.
 */
export function auditSentence(e: AuditEntryView, names: AuditNames, t: T): string {
  const d = e.data;
  const short = (id: string | null | undefined) => (id ? `#${id.slice(0, 8)}` : '—');
  const siteId = str(d.siteId);
  const siteIds = Array.isArray(d.siteIds) ? d.siteIds : null;
  const vars: Record<string, string> = {
    actor: names.user(e.actorId) ?? (e.actorId ? short(e.actorId) : t('record.audit.system')),
    directive:
      e.subjectType === 'directive' || e.subjectType === 'terminal_test_call'
        ? (names.directive(e.subjectId) ??
          (str(d.serial) ? `${str(d.serial)}《${str(d.title) ?? ''}》` : short(e.subjectId)))
        : '',
    site: names.site(siteId) ?? short(siteId),
    subjectSite: names.site(e.subjectId) ?? short(e.subjectId),
    terminal: names.terminal(e.subjectId) ?? short(e.subjectId),
    name: str(d.name) ?? str(d.username) ?? str(d.title) ?? '',
    count: String(siteIds?.length ?? d.terminals ?? ''),
    terminals: String(d.terminals ?? 0),
    level: String(d.escalationLevel ?? ''),
    via: str(d.via) && VIA[str(d.via)!] ? t(VIA[str(d.via)!]!) : '',
    text: str(d.text) ?? '',
    reason: str(d.reason) ? `：${str(d.reason)}` : '',
    user: names.user(str(d.userId)) ?? short(str(d.userId)),
    subjectUser: names.user(e.subjectId) ?? short(e.subjectId),
    date: str(d.date) ?? '',
    code: str(d.code) ?? '',
    rows: String(d.rows ?? ''),
  };
  if (e.action === 'directive.ack') {
    if (d.via === 'on_behalf') {
      const rec = { ...(d.onBehalf as Partial<OnBehalfRecord> | undefined), note: str(d.note) };
      return fill(t('record.audit.directive.ackOnBehalf'), { ...vars, record: onBehalfSummary(rec, t) });
    }
    return fill(t('record.audit.directive.ack'), vars);
  }
  const key = AUDIT_SENTENCES[e.action];
  return key ? fill(t(key), vars) : fill(t('record.audit.other'), vars);
}
