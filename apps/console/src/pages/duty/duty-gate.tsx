import { useEffect, useRef } from 'react';
import { useI18n } from '../../i18n/index.js';

/**
 * Full-screen 「点击进入值守」 after a page load: browsers start sound only on a user
 * gesture, so a reloaded duty console must not sit there silently. The click switches the
 * sound on, asks for notifications and takes the screen wake-lock.
 */
export function DutyGate({ onEnter }: { onEnter: () => void }) {
  const { t } = useI18n();
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => button.current?.focus(), []);
  return (
    <div
      className="duty-gate"
      role="dialog"
      aria-modal="true"
      aria-labelledby="duty-gate-title"
      data-testid="duty-gate"
    >
      <div className="duty-gate-box">
        <p id="duty-gate-title" className="duty-gate-hint">
          {t('duty.enterHint')}
        </p>
        <button ref={button} type="button" className="duty-gate-enter" onClick={onEnter}>
          {t('duty.enter')}
        </button>
      </div>
    </div>
  );
}
