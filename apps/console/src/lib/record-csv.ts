import type {
  AuditEntryView,
  DirectiveRecipientView,
  DirectiveView,
  SiteView,
  TerminalView,
} from '#contracts';
import type { MessageKey } from '../i18n/index.js';
import { auditSentence, VIA, type AuditNames } from '../pages/audit-sentence.js';
import { FLAG_LABEL, flagsOf, linkLabel } from '../pages/terminals/terminal-order.js';
import { csvTime, toCsv } from './csv.js';
import { isAcked, STATE_LABEL } from './levels.js';
import { METHOD_LABEL } from './on-behalf.js';

type T = (k: MessageKey) => string;
const via = (v: string | null | undefined, t: T) => (v ? (VIA[v] ? t(VIA[v]) : v) : '');

/**
 * A directive's recipient record (签收记录) for the file drawer and for 追责: who got it and
 * how, when each site pressed 签收 and when the hub had it, and for a 代签收 the method, the
 * person who answered, their phone, when and the note. Rows in the county's region order.
 */
export function recipientRecordCsv(
  d: DirectiveView,
  recipients: DirectiveRecipientView[],
  ctx: { t: T; sites: ReadonlyMap<string, SiteView>; userName: (id: string | null) => string; now: number },
): string {
  const { t, sites, userName, now } = ctx;
  const headers = [
    'csv.serial',
    'csv.title',
    'csv.site',
    'csv.regionCode',
    'csv.dutyPhone',
    'csv.state',
    'csv.deliveredAt',
    'csv.deliveredVia',
    'csv.pressedAt',
    'csv.receivedAt',
    'csv.ackVia',
    'csv.ackBy',
    'csv.obMethod',
    'csv.obPerson',
    'csv.obPhone',
    'csv.obAt',
    'csv.obNote',
    'csv.feedback',
    'csv.completedAt',
    'csv.overdue',
    'csv.escalation',
  ] as const satisfies readonly MessageKey[];
  const rows = recipients.map((r) => {
    const site = sites.get(r.siteId);
    const ob = r.acknowledgedOnBehalf ?? null;
    // each site's own deadline: one added by a warning's widened area has a later one
    const due = new Date(r.ackDeadline ?? d.ackBy).getTime();
    const overdue = !isAcked(r.state) && (r.overdue || now > due);
    return [
      d.serial,
      d.title,
      r.siteName,
      site?.regionCode ?? '',
      site?.dutyPhone ?? '',
      t(STATE_LABEL[r.state]),
      csvTime(r.deliveredAt),
      via(r.deliveredVia, t),
      csvTime(r.acknowledgedPressedAt ?? r.acknowledgedAt),
      csvTime(r.acknowledgedAt),
      via(r.acknowledgedVia, t),
      r.acknowledgedBy ? userName(r.acknowledgedBy) : '',
      ob?.method ? t(METHOD_LABEL[ob.method]) : '',
      ob?.person ?? '',
      ob?.phone ?? '',
      csvTime(ob?.at),
      ob?.note ?? '',
      r.feedback ?? '',
      csvTime(r.completedAt),
      t(overdue || r.overdue ? 'csv.yes' : 'csv.no'),
      r.escalationLevel,
    ];
  });
  return toCsv(
    headers.map((h) => t(h)),
    rows,
  );
}

/** The audit log as sentences (as on screen), with the action code and hash for a check against the chain. */
export function auditCsv(entries: AuditEntryView[], names: AuditNames, t: T): string {
  const headers = ['csv.seq', 'csv.time', 'csv.what', 'csv.actor', 'csv.action', 'csv.hash'] as const;
  return toCsv(
    headers.map((h) => t(h)),
    entries.map((e) => [
      e.seq,
      csvTime(e.at),
      auditSentence(e, names, t),
      names.user(e.actorId) ?? (e.actorId ? `#${e.actorId.slice(0, 8)}` : t('record.audit.system')),
      e.action,
      e.hash,
    ]),
  );
}

/** The terminal list in the order on screen (what needs chasing first). */
export function terminalsCsv(list: TerminalView[], siteName: (id: string) => string, t: T): string {
  const headers = [
    'csv.terminal',
    'csv.site',
    'csv.kind',
    'csv.presence',
    'csv.battery',
    'csv.power',
    'csv.link',
    'csv.lastSeen',
    'csv.flags',
  ] as const;
  return toCsv(
    headers.map((h) => t(h)),
    list.map((tm) => [
      tm.name,
      siteName(tm.siteId),
      t(tm.kind === 'radio' ? 'kindRadio' : 'kindPush'),
      t(tm.presence),
      tm.telemetry?.battery ?? '',
      tm.telemetry?.power ? t(tm.telemetry.power) : '',
      tm.telemetry?.link ? linkLabel(tm.telemetry.link, t) : '',
      csvTime(tm.lastSeenAt),
      flagsOf(tm)
        .map((f) => t(FLAG_LABEL[f]))
        .join('、'),
    ]),
  );
}
