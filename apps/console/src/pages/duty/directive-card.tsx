import { useState, type FormEvent } from 'react';
import { useI18n } from '../../i18n/index.js';
import { errorText } from '../../lib/api.js';
import { LEVEL_LABEL } from '../../lib/levels.js';
import { formatSpan, formatTime } from '../../lib/time.js';
import { needsAck, needsFeedback, type InboxItem } from './inbox-model.js';

interface Props {
  item: InboxItem;
  now: number;
  onAck: () => Promise<void>;
  onFeedback: (text: string) => Promise<void>;
}

/** One open directive: flashing until 签收, a countdown to the deadline, then the 反馈 form. */
export function DirectiveCard({ item, now, onAck, onFeedback }: Props) {
  const { t, lang } = useI18n();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const d = item.directive;
  const left = new Date(d.ackBy).getTime() - now;
  const open = needsAck(item);
  const headingId = `dir-${d.id}`;

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(`${t('errorPrefix')}: ${errorText(err)}`);
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

  return (
    <article
      className={`directive level-${d.level} ${open ? 'flash' : ''}`}
      aria-labelledby={headingId}
      data-testid="inbox-item"
      data-directive-id={d.id}
      data-state={item.state}
    >
      <header>
        <span className={`badge level-${d.level}`}>{t(LEVEL_LABEL[d.level])}</span>
        {d.drill && <span className="badge drill">{t('drill')}</span>}
        <h3 id={headingId}>{d.title}</h3>
        <span className="serial">{d.serial}</span>
      </header>
      <p className="body">{d.body}</p>
      {item.updates.map((u) => (
        <p key={u.id} className="update">
          <strong>{t('update')}</strong> {formatTime(u.at, lang)}: {u.text}
        </p>
      ))}
      <dl className="meta">
        <dt>{t('issuedAt')}</dt>
        <dd>{formatTime(d.issuedAt, lang)}</dd>
        <dt>{t('deadline')}</dt>
        <dd>{formatTime(d.ackBy, lang)}</dd>
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
      {open && (
        <button type="button" className="ack-button" disabled={busy} onClick={() => void run(onAck)}>
          {t('ack')}
        </button>
      )}
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
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </article>
  );
}
