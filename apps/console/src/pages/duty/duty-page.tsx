import { useCallback, useEffect, useRef, useState } from 'react';
import type { Socket } from 'socket.io-client';
import type { DirectiveEscalationPayload, DirectivePushPayload, UserView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { alarm } from '../../lib/alarm.js';
import { blinkTitle, holdWakeLock, notifications } from '../../lib/attention.js';
import type { ConnState } from '../../lib/socket.js';
import { useNow } from '../../lib/time.js';
import '../../styles/duty.css';
import { DirectiveCard } from './directive-card.js';
import { DutyGate } from './duty-gate.js';
import { useErrorText } from './error-text.js';
import { History } from './history.js';
import { byUrgency, needsAck, needsFeedback } from './inbox-model.js';
import { isNetworkFailure, useDutyInbox } from './use-duty-inbox.js';

/** The township duty room (值班台): live inbox, alarm until 签收, 反馈, history. */
export function DutyPage({ socket, conn }: { user: UserView; socket: Socket | null; conn: ConnState }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const now = useNow();
  // the login click switched the sound on, but asking for OS notifications needs a click of
  // its own on this page: after a fresh login the gate still shows until they were asked once
  const [entered, setEntered] = useState(() => alarm.unlocked && !notifications.undecided);
  const [soundOk, setSoundOk] = useState(alarm.unlocked);
  useEffect(() => alarm.subscribe(() => setSoundOk(alarm.unlocked)), []);

  const onNew = useCallback(
    (d: DirectivePushPayload) => notifications.show(`${t('duty.notifyNew')} · ${d.serial}`, d.title, d.id),
    [t],
  );
  const onEscalated = useCallback(
    (e: DirectiveEscalationPayload) =>
      notifications.show(t('duty.notifyEscalated'), e.title, `${e.directiveId}:esc`),
    [t],
  );
  const { inbox, history, loadError, queued, flushError, ack, feedback } = useDutyInbox(socket, {
    onNew,
    onEscalated,
  });

  const isQueued = (id: string) => queued.some((q) => q.directiveId === id);
  const items = Object.values(inbox).sort(byUrgency(now));
  const toAck = items.filter(needsAck);
  const toFeedback = items.filter(needsFeedback);
  const waiting = toAck.filter((i) => !isQueued(i.directive.id));

  const alarmLevels = waiting.map((i) => i.directive.level).join(',');
  useEffect(() => {
    alarm.set(alarmLevels ? (alarmLevels.split(',') as Parameters<typeof alarm.set>[0]) : []);
  }, [alarmLevels]);
  useEffect(() => () => alarm.set([]), []);

  const anyWaiting = waiting.length > 0;
  useEffect(() => blinkTitle(anyWaiting, t('duty.titleNew')), [anyWaiting, t]);
  useEffect(() => (entered ? holdWakeLock() : undefined), [entered]);

  // a tone when the link drops, once per drop
  const wasOnline = useRef(conn === 'online');
  useEffect(() => {
    if (conn === 'online') wasOnline.current = true;
    else if (conn === 'offline' && wasOnline.current) {
      wasOnline.current = false;
      alarm.linkLost();
    }
  }, [conn]);

  const enter = () => {
    void alarm
      .unlock()
      .then(() => setSoundOk(alarm.unlocked))
      .catch((err: unknown) => console.warn('alarm sound refused', err));
    notifications.ask().catch((err: unknown) => console.warn('notification permission not asked', err));
    setEntered(true);
  };

  const [barError, setBarError] = useState<unknown>(null);
  const top = waiting[0];
  return (
    <div className={`duty ${top ? 'has-ackbar' : ''}`}>
      {!entered && <DutyGate onEnter={enter} />}
      {(!soundOk || conn !== 'online') && (
        <div className="duty-banner" role="alert" data-testid="duty-banner">
          {!soundOk && (
            <p>
              {t('duty.soundOff')}{' '}
              <button type="button" onClick={enter}>
                {t('duty.enableSound')}
              </button>
            </p>
          )}
          {conn !== 'online' && <p>{t('duty.linkDown')}</p>}
        </div>
      )}
      <section className="inbox" aria-labelledby="inbox-title">
        <h2 id="inbox-title">
          {t('duty.toAck')}{' '}
          <span className="count" data-testid="ack-count">
            {toAck.length}
          </span>
        </h2>
        <p id="duty-key-hint" className="key-hint">
          {t('duty.keyHint')}
        </p>
        {/* a load that failed for want of a network is not the officer's error: the link
            banner already says so, and the inbox reloads when the link returns */}
        {loadError !== null && isNetworkFailure(loadError) && (
          <p role="status" className="error">
            {t('duty.netError')}
          </p>
        )}
        {loadError !== null && !isNetworkFailure(loadError) && (
          <p role="alert" className="error">
            {t('errorPrefix')}: {errorText(loadError)}
          </p>
        )}
        {flushError !== null && (
          <p role="alert" className="error">
            {t('duty.flushRefused')}: {errorText(flushError)}
          </p>
        )}
        {toAck.length === 0 && <p className="empty">{t('inboxEmpty')}</p>}
        {toAck.map((i) => (
          <DirectiveCard
            key={i.directive.id}
            item={i}
            now={now}
            queued={isQueued(i.directive.id)}
            onAck={() => ack(i.directive.id)}
            onFeedback={(text) => feedback(i.directive.id, text)}
          />
        ))}
        {toFeedback.length > 0 && (
          <>
            <h2 className="to-feedback">
              {t('duty.toFeedback')} <span className="count muted">{toFeedback.length}</span>
            </h2>
            {toFeedback.map((i) => (
              <DirectiveCard
                key={i.directive.id}
                item={i}
                now={now}
                queued={false}
                onAck={() => ack(i.directive.id)}
                onFeedback={(text) => feedback(i.directive.id, text)}
              />
            ))}
          </>
        )}
      </section>
      <History items={history} />
      {top && (
        <div className="duty-ackbar" data-testid="duty-ackbar">
          <span className={`badge level-${top.directive.level}`}>{top.directive.serial}</span>
          <button
            type="button"
            className="ack-button"
            onClick={() => {
              setBarError(null);
              ack(top.directive.id).catch(setBarError);
            }}
          >
            {t('duty.ackTop')}
          </button>
          {barError !== null && (
            <p role="alert" className="error">
              {errorText(barError)}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
