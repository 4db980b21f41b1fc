import { useEffect, useState } from 'react';
import type { Socket } from 'socket.io-client';
import { DUTY_EVENTS, type HandoverOverduePayload } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { shanghaiShort } from '../../lib/duty-api.js';
import { navigate } from '../../lib/router.js';

/**
 * On every page: a handover of a site the user leads (or of their own site) that nobody
 * confirmed in time, with a way to the handover page. The hub sends it once per handover.
 */
export function HandoverAlerts({ socket }: { socket: Socket | null }) {
  const { t } = useI18n();
  const [alerts, setAlerts] = useState<HandoverOverduePayload[]>([]);
  useEffect(() => {
    if (!socket) return;
    const on = (p: HandoverOverduePayload) =>
      setAlerts((list) => (list.some((a) => a.handoverId === p.handoverId) ? list : [...list, p]));
    socket.on(DUTY_EVENTS.handoverOverdue, on);
    return () => void socket.off(DUTY_EVENTS.handoverOverdue, on);
  }, [socket]);
  if (alerts.length === 0) return null;
  const dismiss = (id: string) => setAlerts((list) => list.filter((a) => a.handoverId !== id));
  return (
    <div className="handover-alerts" role="alert">
      {alerts.map((a) => (
        <p key={a.handoverId} data-testid="handover-alert">
          {a.siteName} {t('duty.alertOverdue')} ({t('duty.dueBy')} {shanghaiShort(a.dueBy)}){' '}
          <button
            type="button"
            onClick={() => {
              dismiss(a.handoverId);
              navigate('/handover');
            }}
          >
            {t('duty.navHandover')}
          </button>
          <button type="button" className="link" onClick={() => dismiss(a.handoverId)}>
            {t('duty.dismiss')}
          </button>
        </p>
      ))}
    </div>
  );
}
