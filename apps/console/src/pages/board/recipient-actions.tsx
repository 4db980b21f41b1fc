import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { DirectiveRecipientView, OnBehalfMethod, OnBehalfRecord } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { api, errorText } from '../../lib/api.js';
import { isAcked } from '../../lib/levels.js';
import { METHOD_LABEL, onBehalfSummary } from '../../lib/on-behalf.js';
import { DATE_TIME_PATTERN, formatShort, localInputToIso, nowForInput } from '../../lib/time.js';
import '../../styles/record.css';

/** The 代签收 record on an acknowledged row. */
function OnBehalfLine({ rec }: { rec: OnBehalfRecord }) {
  const { t } = useI18n();
  return (
    <p className="on-behalf-record" data-testid="on-behalf-record">
      {onBehalfSummary(rec, t)}
      {rec.at && <small> · {formatShort(rec.at)}</small>}
    </p>
  );
}

interface DialogProps {
  directiveId: string;
  r: DirectiveRecipientView;
  onClose: () => void;
}

/**
 * 代签收: a site answered by phone, radio or in person and the dispatcher records it for
 * them. Method, person, phone, time and a note go to the server with the 签收, so the row
 * and the audit log keep who said so and how (追责).
 */
function OnBehalfDialog({ directiveId, r, onClose }: DialogProps) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [method, setMethod] = useState<OnBehalfMethod>('phone');
  const [person, setPerson] = useState('');
  const [phone, setPhone] = useState('');
  const [at, setAt] = useState(() => nowForInput());
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<string | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setMsg(null);
    const answeredAt = localInputToIso(at);
    api
      .ack(directiveId, {
        siteId: r.siteId,
        note: note.trim(),
        method,
        person: person.trim(),
        ...(phone.trim() ? { phone: phone.trim() } : {}),
        ...(answeredAt ? { at: answeredAt } : {}),
      })
      .then(onClose)
      .catch((err: unknown) => {
        setBusy(false);
        setMsg(`${t('errorPrefix')}：${errorText(err)}`);
      });
  };

  return (
    <dialog ref={ref} className="on-behalf-dialog" aria-labelledby={titleId} onCancel={onClose}>
      <form onSubmit={submit} className="on-behalf-form">
        <h3 id={titleId}>
          {t('ackOnBehalf')} · {r.siteName}
        </h3>
        <fieldset className="on-behalf-methods">
          <legend>{t('record.onBehalf.method')}</legend>
          {(Object.keys(METHOD_LABEL) as OnBehalfMethod[]).map((m) => (
            <label key={m} className="choice">
              <input
                type="radio"
                name="on-behalf-method"
                value={m}
                checked={method === m}
                onChange={() => setMethod(m)}
              />
              {t(METHOD_LABEL[m])}
            </label>
          ))}
        </fieldset>
        <label>
          {t('record.onBehalf.person')}
          <input
            required
            maxLength={50}
            autoComplete="off"
            value={person}
            onChange={(e) => setPerson(e.target.value)}
            data-testid="on-behalf-person"
          />
        </label>
        <label>
          {t('record.onBehalf.phone')}
          <input
            type="tel"
            maxLength={32}
            autoComplete="off"
            value={phone}
            onChange={(e) => setPhone(e.target.value)}
            data-testid="on-behalf-phone"
          />
        </label>
        <label>
          {t('record.onBehalf.at')}
          <input
            required
            inputMode="numeric"
            pattern={DATE_TIME_PATTERN}
            placeholder="2026-12-06 14:03"
            value={at}
            onChange={(e) => setAt(e.target.value)}
          />
        </label>
        <label className="wide">
          {t('note')}
          <textarea
            required
            rows={3}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            data-testid="on-behalf-note"
          />
        </label>
        {msg && (
          <p role="alert" className="error wide">
            {msg}
          </p>
        )}
        <div className="dialog-buttons wide">
          <button type="button" onClick={onClose}>
            {t('record.cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {t('record.onBehalf.submit')}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** Re-send, escalate, and 代签收 (ack on behalf, on the record); an acknowledged row shows its 代签收. */
export function RecipientActions({ directiveId, r }: { directiveId: string; r: DirectiveRecipientView }) {
  const { t } = useI18n();
  const [onBehalf, setOnBehalf] = useState(false);
  const [msg, setMsg] = useState<string | null>(null);
  const run = (fn: () => Promise<unknown>) => {
    setMsg(null);
    fn().catch((err: unknown) => setMsg(`${t('errorPrefix')}：${errorText(err)}`));
  };
  if (isAcked(r.state)) return r.acknowledgedOnBehalf ? <OnBehalfLine rec={r.acknowledgedOnBehalf} /> : null;
  if (r.state === 'expired') return null;
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
        aria-haspopup="dialog"
        onClick={() => setOnBehalf(true)}
        aria-label={`${t('ackOnBehalf')} ${r.siteName}`}
      >
        {t('ackOnBehalf')}
      </button>
      {onBehalf && <OnBehalfDialog directiveId={directiveId} r={r} onClose={() => setOnBehalf(false)} />}
      {msg && (
        <span role="alert" className="error">
          {msg}
        </span>
      )}
    </div>
  );
}
