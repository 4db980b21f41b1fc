import { useState, type FormEvent } from 'react';
import type { DirectiveView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { api, errorText } from '../../lib/api.js';

/** 续发 (a linked update to every recipient) and 撤销 (withdraw), for an open directive. */
export function DirectiveControls({ d, onChanged }: { d: DirectiveView; onChanged: () => void }) {
  const { t } = useI18n();
  const [mode, setMode] = useState<'none' | 'update' | 'cancel'>('none');
  const [text, setText] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);

  const run = (fn: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setMsg(null);
    fn()
      .then(() => {
        setMode('none');
        setText('');
        setReason('');
        setMsg({ ok: true, text: done });
        onChanged();
      })
      .catch((err: unknown) => setMsg({ ok: false, text: `${t('errorPrefix')}: ${errorText(err)}` }))
      .finally(() => setBusy(false));
  };
  const sendUpdate = (e: FormEvent) => {
    e.preventDefault();
    run(() => api.postUpdate(d.id, text.trim()), t('board.updateSent'));
  };

  return (
    <div className="directive-controls">
      {d.status === 'issued' && (
        <>
          <button
            type="button"
            aria-expanded={mode === 'update'}
            onClick={() => setMode((m) => (m === 'update' ? 'none' : 'update'))}
          >
            {t('board.postUpdate')}
          </button>
          <button type="button" className="danger" onClick={() => setMode('cancel')}>
            {t('board.cancelDirective')}
          </button>
        </>
      )}
      {msg && (
        <span role={msg.ok ? 'status' : 'alert'} className={msg.ok ? 'ok' : 'error'}>
          {msg.text}
        </span>
      )}
      {mode === 'update' && (
        <form className="update-form" onSubmit={sendUpdate}>
          <label>
            {t('board.updateText')}
            <textarea
              required
              rows={2}
              maxLength={2000}
              value={text}
              onChange={(e) => setText(e.target.value)}
            />
          </label>
          <button type="submit" className="primary" disabled={busy || !text.trim()}>
            {t('board.postUpdate')}
          </button>
        </form>
      )}
      {mode === 'cancel' && (
        <div
          className="modal"
          role="alertdialog"
          aria-modal="true"
          aria-labelledby="cancel-title"
          aria-describedby="cancel-body"
        >
          <div className="card">
            <h3 id="cancel-title">
              {t('board.cancelDirective')} {d.serial}
            </h3>
            <p id="cancel-body">{t('board.confirmCancel')}</p>
            <label>
              {t('board.cancelReason')}
              <input value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
            </label>
            <div className="modal-actions">
              <button
                type="button"
                className="primary level-red"
                disabled={busy}
                onClick={() => run(() => api.cancel(d.id, reason.trim() || undefined), t('board.cancelled'))}
              >
                {t('confirm')}
              </button>
              <button type="button" autoFocus onClick={() => setMode('none')}>
                {t('cancel')}
              </button>
            </div>
          </div>
        </div>
      )}
    </div>
  );
}
