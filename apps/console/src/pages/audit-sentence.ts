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

const SENTENCES: Record<string, MessageKey> = {
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
  };
  if (e.action === 'directive.ack') {
    if (d.via === 'on_behalf') {
      const rec = { ...(d.onBehalf as Partial<OnBehalfRecord> | undefined), note: str(d.note) };
      return fill(t('record.audit.directive.ackOnBehalf'), { ...vars, record: onBehalfSummary(rec, t) });
    }
    return fill(t('record.audit.directive.ack'), vars);
  }
  const key = SENTENCES[e.action];
  return key ? fill(t(key), vars) : fill(t('record.audit.other'), vars);
}
