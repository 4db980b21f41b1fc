import { useState, type FormEvent } from 'react';
import type { DirectiveRecipientView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { api, errorText, type OnBehalfChannel } from '../../lib/api.js';
import { isAcked } from '../../lib/levels.js';

/** Re-send, escalate, and 代签收 (ack on behalf, recording the channel and a note). */
export function RecipientActions({ directiveId, r }: { directiveId: string; r: DirectiveRecipientView }) {
  const { t } = useI18n();
  const [onBehalf, setOnBehalf] = useState(false);
  const [channel, setChannel] = useState<OnBehalfChannel>('phone');
  const [note, setNote] = useState('');
  const [msg, setMsg] = useState<string | null>(null);
  const run = (fn: () => Promise<unknown>) => {
    setMsg(null);
    fn().catch((err: unknown) => setMsg(`${t('errorPrefix')}: ${errorText(err)}`));
  };
  if (isAcked(r.state) || r.state === 'expired') return null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const prefix = channel === 'phone' ? t('viaPhone') : t('viaRadio');
    run(async () => {
      await api.ack(directiveId, { siteId: r.siteId, note: `[${prefix}] ${note}` });
      setOnBehalf(false);
    });
  };
  return (
    <div className="actions">
      <button
        type="button"
        onClick={() => run(() => api.resend(directiveId, [r.siteId]))}
        aria-label={`${t('resend')} ${r.siteName}`}
      >
        {t('resend')}
      </button>
      <button
        type="button"
        onClick={() => run(() => api.escalate(directiveId, r.siteId))}
        aria-label={`${t('escalate')} ${r.siteName}`}
      >
        {t('escalate')}
      </button>
      <button
        type="button"
        aria-expanded={onBehalf}
        onClick={() => setOnBehalf((v) => !v)}
        aria-label={`${t('ackOnBehalf')} ${r.siteName}`}
      >
        {t('ackOnBehalf')}
      </button>
      {onBehalf && (
        <form onSubmit={submit} className="on-behalf">
          <label>
            {t('via')}
            <select value={channel} onChange={(e) => setChannel(e.target.value as OnBehalfChannel)}>
              <option value="phone">{t('viaPhone')}</option>
              <option value="radio">{t('viaRadio')}</option>
            </select>
          </label>
          <label>
            {t('note')}
            <input required value={note} onChange={(e) => setNote(e.target.value)} />
          </label>
          <button type="submit">{t('confirm')}</button>
        </form>
      )}
      {msg && (
        <span role="alert" className="error">
          {msg}
        </span>
      )}
    </div>
  );
}
