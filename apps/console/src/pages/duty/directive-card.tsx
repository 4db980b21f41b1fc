import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { LEVEL_LABEL } from '../../lib/levels.js';
import { formatSpan, formatTime } from '../../lib/time.js';
import { needsAck, needsFeedback, type InboxItem } from './inbox-model.js';
import { useErrorText } from './error-text.js';

interface Props {
  item: InboxItem;
  now: number;
  /** 签收 pressed offline, waiting for the link */
  queued: boolean;
  onAck: () => Promise<void>;
  onFeedback: (text: string) => Promise<void>;
}

const ESCALATED: Record<number, MessageKey> = {
  1: 'duty.escalated1',
  2: 'duty.escalated2',
  3: 'duty.escalated3',
};

/** One open directive: flashing until 签收, a countdown to the deadline, then the 反馈 form. */
export function DirectiveCard({ item, now, queued, onAck, onFeedback }: Props) {
  const { t, lang } = useI18n();
  const errorText = useErrorText();
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const d = item.directive;
  const left = new Date(d.ackBy).getTime() - now;
  const open = needsAck(item);
  const canAck = open && !queued && !busy;
  const headingId = `dir-${d.id}`;
  const escalated = open ? ESCALATED[Math.min(item.escalationLevel, 3)] : undefined;

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await onFeedback(text);
      setText('');
    });
  };
  // Enter or space on the focused card is 签收: the quickest path with a keyboard at night
  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (e.target !== e.currentTarget || (e.key !== 'Enter' && e.key !== ' ')) return;
    e.preventDefault();
    if (canAck) void run(onAck);
  };

  return (
    <article
      className={`directive level-${d.level} ${open && !queued ? 'flash' : ''} ${left < 0 && open ? 'overdue' : ''}`}
      aria-labelledby={headingId}
      aria-describedby={open ? 'duty-key-hint' : undefined}
      data-testid="inbox-item"
      data-directive-id={d.id}
      data-state={item.state}
      data-queued={queued ? 'true' : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      <header>
        <span className={`badge level-${d.level}`}>{t(LEVEL_LABEL[d.level])}</span>
        {d.kind === 'warning' && (
          <span className="badge warning-kind" data-testid="warning-kind">
            {t('warn.onDuty')}
          </span>
        )}
        {d.drill && <span className="badge drill">{t('drill')}</span>}
        {queued && (
          <span className="badge queued" data-testid="queued">
            {t('duty.queued')}
          </span>
        )}
        <h3 id={headingId}>{d.title}</h3>
        <span className="serial">{d.serial}</span>
      </header>
      {escalated && (
        <p className="escalated" data-testid="escalated">
          {t(escalated)}
        </p>
      )}
      <p className="body">{d.body}</p>
      {item.updates.map((u) => (
        <p key={u.id} className="update">
          <strong>{t('update')}</strong> {formatTime(u.at, lang)}: {u.text}
        </p>
      ))}
      <dl className="meta">
        {item.issuer?.name && (
          <>
            <dt>{t('duty.issuer')}</dt>
            <dd data-testid="issuer">{item.issuer.name}</dd>
          </>
        )}
        {item.issuer?.phone && (
          <>
            <dt>{t('duty.callBack')}</dt>
            <dd>
              <a href={`tel:${item.issuer.phone}`}>{item.issuer.phone}</a>
            </dd>
          </>
        )}
        <dt>{t('issuedAt')}</dt>
        <dd>{formatTime(d.issuedAt, lang)}</dd>
        <dt>{t('deadline')}</dt>
        <dd>{formatTime(d.ackBy, lang)}</dd>
        {d.expiresAt && (
          <>
            <dt>{t('warn.validUntil')}</dt>
            <dd data-testid="valid-until">
              {formatTime(d.expiresAt, lang)}
              {item.validityMoved && <strong className="validity-moved"> · {t('warn.validityMoved')}</strong>}
            </dd>
          </>
        )}
        {open && (
          <>
            <dt>{left >= 0 ? t('remaining') : t('overdueBy')}</dt>
            <dd className={`countdown ${left < 0 ? 'overdue' : ''}`} data-testid="countdown">
              {formatSpan(left)}
            </dd>
          </>
        )}
        {item.acknowledgedAt && (
          <>
            <dt>{t('acknowledgedAt')}</dt>
            <dd>{formatTime(item.acknowledgedAt, lang)}</dd>
          </>
        )}
      </dl>
      {open && !queued && (
        <button type="button" className="ack-button" disabled={!canAck} onClick={() => void run(onAck)}>
          {t('ack')}
        </button>
      )}
      {queued && <p className="queued-note">{t('duty.queuedHint')}</p>}
      {needsFeedback(item) && (
        <form className="feedback" onSubmit={submit}>
          <label>
            {t('feedbackText')}
            <textarea required value={text} onChange={(e) => setText(e.target.value)} rows={3} />
          </label>
          <button type="submit" className="primary" disabled={busy || !text.trim()}>
            {t('submitFeedback')}
          </button>
        </form>
      )}
      {item.state === 'completed' && <p className="done">{t('completed')}</p>}
      {item.state === 'cancelled' && <p className="done">{t('cancelled')}</p>}
      {error !== null && (
        <p role="alert" className="error">
          {t('errorPrefix')}: {errorText(error)}
        </p>
      )}
    </article>
  );
}
