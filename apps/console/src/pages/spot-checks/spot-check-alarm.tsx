import { useEffect, useState } from 'react';
import type { Socket } from 'socket.io-client';
import { SPOT_CHECK_EVENTS, type SpotCheckAnswerView, type SpotCheckPushPayload } from '#contracts';
import { useSpotText } from '../../i18n/spot-checks.js';
import { alarm } from '../../lib/alarm.js';
import { formatSpan, useNow } from '../../lib/time.js';
import '../../styles/spot-checks.css';

type Answer = ({ ok: true } & SpotCheckAnswerView) | { ok: false; error: string };

/** How often the 查岗 tone repeats while a check waits for 在岗 (the red directive's pace). */
const TONE_EVERY_MS = 1200;

/**
 * The township's 查岗 alarm: full screen over whatever page is open, with the directive
 * alarm's tone repeating until 在岗 is pressed. The answer goes over the socket
 * (`spotcheck.answer`); what the server recorded (on time, late, or the first answer
 * standing) is shown before the screen closes.
 */
export function SpotCheckAlarm({ socket }: { socket: Socket | null }) {
  const s = useSpotText();
  const now = useNow(500);
  const [checks, setChecks] = useState<SpotCheckPushPayload[]>([]);
  const [result, setResult] = useState<Answer | null>(null);
  const [busy, setBusy] = useState(false);
  const current = checks[0] ?? null;

  useEffect(() => {
    if (!socket) return;
    const on = (p: SpotCheckPushPayload) =>
      setChecks((list) => (list.some((c) => c.checkId === p.checkId) ? list : [...list, p]));
    socket.on(SPOT_CHECK_EVENTS.spotcheck, on);
    return () => {
      socket.off(SPOT_CHECK_EVENTS.spotcheck, on);
    };
  }, [socket]);

  useEffect(() => {
    if (!current || result) return;
    alarm.chime('red');
    const timer = setInterval(() => alarm.chime('red'), TONE_EVERY_MS);
    document.documentElement.dataset.spotcheck = 'ringing';
    return () => {
      clearInterval(timer);
      document.documentElement.dataset.spotcheck = 'off';
    };
  }, [current, result]);

  if (!current) return null;
  const left = Date.parse(current.deadline) - now;
  const answer = () => {
    if (!socket) return;
    setBusy(true);
    socket
      .timeout(10_000)
      .emitWithAck(SPOT_CHECK_EVENTS.answer, { checkId: current.checkId })
      .then((r: Answer) => setResult(r))
      .catch(() => setResult({ ok: false, error: 'timeout' }))
      .finally(() => setBusy(false));
  };
  const close = () => {
    setResult(null);
    setChecks((list) => list.slice(1));
  };
  return (
    <div className="spotcheck-alarm" role="alertdialog" aria-modal="true" aria-labelledby="spotcheck-title">
      <div className="spotcheck-panel">
        {current.drill && <span className="drill-badge">{s('drill')}</span>}
        <h2 id="spotcheck-title">{s('alarmTitle')}</h2>
        <p>{s('alarmHint')}</p>
        <p className="spotcheck-countdown" data-testid="spotcheck-countdown">
          {left > 0 ? `${s('remaining')} ${formatSpan(left)}` : s('overdue')}
        </p>
        {!result && (
          <button
            type="button"
            className="spotcheck-button"
            disabled={busy || !socket}
            onClick={answer}
            autoFocus
          >
            {s('onDuty')}
          </button>
        )}
        {result && (
          <div role="status" data-testid="spotcheck-result" data-state={result.ok ? result.state : 'error'}>
            <p>
              {!result.ok
                ? result.error
                : result.duplicate
                  ? s('repeated')
                  : result.state === 'late'
                    ? s('answeredLate')
                    : s('answered')}
            </p>
            <button type="button" onClick={close}>
              {s('close')}
            </button>
          </div>
        )}
      </div>
    </div>
  );
}
