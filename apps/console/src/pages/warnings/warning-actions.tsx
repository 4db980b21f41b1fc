import { useState } from 'react';
import type { UserView, WarningView } from '#contracts';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { warningApi } from './warning-api.js';
import { warningErrorText } from './warning-errors.js';
import { warningActions, type WarningAction } from './warning-rules.js';

interface Props {
  user: UserView;
  warning: WarningView;
  now: number;
  /** after a step: the message to show, and the warning to show next (a 解除 is a new one) */
  onChanged: (message: string, showId?: string) => void;
  /** 变更 opens the composer on this warning */
  onUpdate: () => void;
}

const LABEL: Record<WarningAction, MessageKey> = {
  submit: 'warn.submit',
  approve: 'warn.approve',
  reject: 'warn.reject',
  publish: 'warn.publish',
  emergency: 'warn.emergency',
  update: 'warn.update',
  cancel: 'warn.cancel',
};

type Dialog = 'reject' | 'cancel' | 'emergency' | null;

/**
 * The workflow's buttons, only those this user may use on this warning now: 提交审核,
 * 审核通过 / 退回 (with a reason), 签发发布, a commander's 紧急发布 (confirmed first, saying
 * that sign-off follows), and on a published warning 变更 and 解除 (with a reason).
 */
export function WarningActions({ user, warning, now, onChanged, onUpdate }: Props) {
  const { t, lang } = useI18n();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { actions, selfBlocked } = warningActions(user, warning, now);

  const run = async (fn: () => Promise<string | undefined | void>, done: MessageKey) => {
    setBusy(true);
    setError(null);
    try {
      const next = await fn();
      setDialog(null);
      setReason('');
      onChanged(t(done), next ?? undefined);
    } catch (err) {
      setError(warningErrorText(err, t, lang));
    } finally {
      setBusy(false);
    }
  };
  const id = warning.id;
  const press = (a: WarningAction) => {
    if (a === 'reject' || a === 'cancel' || a === 'emergency') return setDialog(a);
    if (a === 'update') return onUpdate();
    if (a === 'submit')
      return void run(() => warningApi.submit(id).then(() => undefined), 'warn.done.submit');
    if (a === 'approve')
      return void run(() => warningApi.approve(id).then(() => undefined), 'warn.done.approve');
    return void run(() => warningApi.publish(id).then(() => undefined), 'warn.done.publish');
  };
  const confirm = () => {
    if (dialog === 'emergency')
      void run(() => warningApi.publish(id, true).then(() => undefined), 'warn.done.emergency');
    else if (dialog === 'reject')
      void run(() => warningApi.reject(id, reason.trim()).then(() => undefined), 'warn.done.reject');
    else if (dialog === 'cancel')
      void run(() => warningApi.cancel(id, reason.trim()).then((r) => r.id), 'warn.done.cancel');
  };

  if (actions.length === 0 && !selfBlocked) return null;
  return (
    <div className="warn-actions" data-testid="warn-actions">
      {actions.map((a) => (
        <button
          key={a}
          type="button"
          className={a === 'emergency' ? 'warn-emergency' : a === 'reject' || a === 'cancel' ? '' : 'primary'}
          disabled={busy}
          onClick={() => press(a)}
        >
          {t(LABEL[a])}
        </button>
      ))}
      {selfBlocked && <p className="muted">{t('warn.selfApproval')}</p>}
      {error && dialog === null && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {dialog && (
        <div className="modal" role="alertdialog" aria-modal="true" aria-labelledby="warn-dialog-title">
          <form
            className="card"
            onSubmit={(e) => {
              e.preventDefault();
              confirm();
            }}
          >
            <h3 id="warn-dialog-title">
              {dialog === 'emergency' ? t('warn.emergencyTitle') : t(LABEL[dialog])}
            </h3>
            {dialog === 'emergency' ? (
              <p>{t('warn.emergencyBody')}</p>
            ) : (
              <label>
                {dialog === 'reject' ? t('warn.rejectReason') : t('warn.cancelReason')}
                <textarea
                  required
                  rows={3}
                  value={reason}
                  autoFocus
                  onChange={(e) => setReason(e.target.value)}
                />
              </label>
            )}
            <div className="modal-actions">
              <button
                type="submit"
                className={dialog === 'emergency' ? 'warn-emergency' : 'primary'}
                disabled={busy || (dialog !== 'emergency' && !reason.trim())}
              >
                {t('warn.confirm')}
              </button>
              <button type="button" onClick={() => setDialog(null)}>
                {t('warn.back')}
              </button>
            </div>
            {error && (
              <p role="alert" className="error">
                {error}
              </p>
            )}
          </form>
        </div>
      )}
    </div>
  );
}
