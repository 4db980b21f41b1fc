import { useEffect, useRef, useState } from 'react';
import type { Socket } from 'socket.io-client';
import type { ReportDuePayload } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { alarm } from '../../lib/alarm.js';
import { blinkTitle, notifications } from '../../lib/attention.js';
import { ANSWERED_EVENT, REP_EV, reportSignals, type AnsweredSubject } from '../../lib/reporting-api.js';
import { navigate } from '../../lib/router.js';
import { formatShort } from '../../lib/time.js';
import '../../styles/report-alerts.css';

/** How often an overdue report's tone repeats until someone presses 知道了 (an overdue directive's pace is 1.2 s; this is quieter). */
const REPEAT_MS = 4000;

interface Alert extends ReportDuePayload {
  key: string;
  overdue: boolean;
  /** when the banner took it (ms since epoch): the e2e measures the lag behind dueAt */
  shownAt: number;
}

const keyOf = (p: ReportDuePayload, overdue: boolean) =>
  `${overdue ? (p.escalatedTo ? `e>${p.escalatedTo.siteId}` : 'o') : 'd'}:${p.siteId}:${p.subject.type === 'incident' ? `${p.subject.incidentId}:${p.subject.kind}` : p.subject.date}:${p.dueAt}:${p.drillId ?? ''}`;

/** Counts every tone this component played, for the e2e (`data-report-tones` on <html>). */
let tones = 0;
function tone(overdue: boolean) {
  tones += 1;
  document.documentElement.dataset.reportTones = String(tones);
  alarm.chime(overdue ? 'red' : 'orange');
}

/**
 * On every page: 信息报送's `report.due` and `report.overdue`, as a banner with sound. An
 * overdue report repeats its tone until acknowledged; when the browser has sound switched
 * off the banner says so and offers the switch, so an alert is never silently lost.
 */
export function ReportAlerts({ socket }: { socket: Socket | null }) {
  const { t } = useI18n();
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [soundOn, setSoundOn] = useState(alarm.unlocked);
  const seen = useRef(new Set<string>());
  const tRef = useRef(t);
  tRef.current = t;
  useEffect(() => alarm.subscribe(() => setSoundOn(alarm.unlocked)), []);

  useEffect(() => {
    if (!socket) return;
    const add = (overdue: boolean) => (p: ReportDuePayload) => {
      // a drill's round of the date is not the date's round (the daily page shows the real one)
      if (p.subject.type === 'daily' && !p.drillId) reportSignals.dailyDue.set(p.subject.date, p.dueAt);
      const key = keyOf(p, overdue);
      // the hub may repeat an alert (a reconnect, a second instance): one banner, one tone
      if (seen.current.has(key)) return;
      seen.current.add(key);
      tone(overdue);
      // a console in a background tab or behind another window: the OS says it too
      if (overdue)
        notifications.show(
          `${p.siteName} ${tRef.current('rep.alertOverdue')}`,
          p.subject.type === 'incident' ? p.subject.title : `${tRef.current('rep.daily')} ${p.subject.date}`,
          key,
        );
      // an overdue alert replaces the "due soon" one for the same report
      setAlerts((list) => [
        ...list.filter((a) => a.key !== keyOf(p, false)),
        { ...p, key, overdue, shownAt: Date.now() },
      ]);
    };
    const onDue = add(false);
    const onOverdue = add(true);
    socket.on(REP_EV.due, onDue);
    socket.on(REP_EV.overdue, onOverdue);
    return () => {
      socket.off(REP_EV.due, onDue);
      socket.off(REP_EV.overdue, onOverdue);
    };
  }, [socket]);

  // a report just sent: its "due soon" line goes (an overdue one stays until 知道了)
  useEffect(() => {
    const on = (e: Event) => {
      const s = (e as CustomEvent<AnsweredSubject>).detail;
      setAlerts((list) =>
        list.filter(
          (a) =>
            a.overdue ||
            !(s.type === 'daily'
              ? a.subject.type === 'daily' && a.subject.date === s.date && a.siteId === s.siteId
              : a.subject.type === 'incident' && a.subject.incidentId === s.incidentId),
        ),
      );
    };
    window.addEventListener(ANSWERED_EVENT, on);
    return () => window.removeEventListener(ANSWERED_EVENT, on);
  }, []);

  const ringing = alerts.some((a) => a.overdue);
  useEffect(() => {
    if (!ringing) return;
    const h = setInterval(() => tone(true), REPEAT_MS);
    const stopBlink = blinkTitle(true, `【${tRef.current('rep.alertOverdue')}】`);
    return () => {
      clearInterval(h);
      stopBlink();
    };
  }, [ringing]);

  if (alerts.length === 0) return null;
  const dismiss = (key: string) => setAlerts((list) => list.filter((a) => a.key !== key));
  const open = (a: Alert) => {
    dismiss(a.key);
    navigate(
      a.subject.type === 'incident' ? `/reporting?incident=${a.subject.incidentId}` : '/daily-reports',
    );
  };
  return (
    <div className="report-alerts" role="alert" data-testid="report-alerts">
      {!soundOn && (
        <p className="report-alert-sound">
          {t('rep.soundOff')}{' '}
          <button type="button" onClick={() => void alarm.unlock().catch(() => undefined)}>
            {t('enableSound')}
          </button>
        </p>
      )}
      {alerts.map((a) => (
        <p
          key={a.key}
          className={a.overdue ? 'report-alert overdue' : 'report-alert'}
          data-testid="report-alert"
          data-overdue={a.overdue}
          data-site-name={a.siteName}
          data-due-at={a.dueAt}
          data-shown-at={a.shownAt}
        >
          {a.drill && <span className="drill-badge">{t('rep.drill')}</span>}
          <strong>{a.siteName}</strong>{' '}
          {a.subject.type === 'incident'
            ? `${a.subject.title} · ${t(KIND_KEY[a.subject.kind])}`
            : `${t('rep.daily')} ${a.subject.date}`}{' '}
          {a.overdue ? t('rep.alertOverdue') : t('rep.alertDue')} ({t('rep.dueAt')} {formatShort(a.dueAt)})
          {a.escalatedTo && ` · ${t('rep.escalatedTo')} ${a.escalatedTo.siteName}`}
          <button type="button" onClick={() => open(a)}>
            {t('rep.open')}
          </button>
          <button type="button" className="link" onClick={() => dismiss(a.key)}>
            {t('rep.ack')}
          </button>
        </p>
      ))}
    </div>
  );
}

const KIND_KEY = {
  phone: 'rep.kindPhone',
  initial: 'rep.kindInitial',
  followup: 'rep.kindFollowup',
  final: 'rep.kindFinal',
} as const;
