import { useEffect, useRef, useState } from 'react';
import type { RadioClient } from '#sfu-client';
import type { TalkgroupFloorView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { errorText } from '../../lib/api.js';
import { talkerText } from './talker.js';

type State =
  | { s: 'idle'; cut?: boolean }
  | { s: 'requesting' }
  | { s: 'granted'; since: number }
  | { s: 'busy'; heldBy: TalkgroupFloorView & { rank: string } };

/**
 * The PTT button: hold it (mouse, touch or the space bar) to ask for the floor; the answer
 * shows at once — 正在发射 with a timer, or 信道忙 with who holds it. Releasing ends the
 * transmission. `floor` (live) tells when the floor was taken back (pre-empted, timeout).
 */
export function Ptt(props: {
  client: RadioClient;
  userId: string;
  floor: TalkgroupFloorView | null;
  canTalk: boolean;
}) {
  const { t } = useI18n();
  const { client, userId, floor, canTalk } = props;
  const [state, setState] = useState<State>({ s: 'idle' });
  const [now, setNow] = useState(Date.now());
  const [err, setErr] = useState<string | null>(null);
  const held = useRef(false);
  const stateRef = useRef(state);
  stateRef.current = state;
  const btn = useRef<HTMLButtonElement>(null);

  const down = async () => {
    if (held.current || !canTalk) return;
    held.current = true;
    setErr(null);
    setState({ s: 'requesting' });
    const t0 = performance.now();
    try {
      const r = await client.press();
      btn.current?.setAttribute('data-grant-ms', String(Math.round(performance.now() - t0)));
      if (r.verdict === 'busy') return setState({ s: 'busy', heldBy: r.heldBy });
      if (!held.current) {
        await client.release();
        return setState({ s: 'idle' });
      }
      setState({ s: 'granted', since: Date.now() });
    } catch (e) {
      setErr(errorText(e));
      setState({ s: 'idle' });
    }
  };
  const up = async () => {
    if (!held.current) return;
    held.current = false;
    const was = stateRef.current.s;
    if (was === 'busy') return;
    setState({ s: 'idle' });
    if (was === 'granted') await client.release().catch((e: unknown) => setErr(errorText(e)));
  };

  // the space bar is the PTT too, unless the user is typing
  useEffect(() => {
    const typing = (e: KeyboardEvent) =>
      e.target instanceof HTMLElement && /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName);
    const kd = (e: KeyboardEvent) => {
      if (e.code !== 'Space' || typing(e)) return;
      e.preventDefault();
      if (!e.repeat) void down();
    };
    const ku = (e: KeyboardEvent) => {
      if (e.code !== 'Space' || typing(e)) return;
      e.preventDefault();
      void up();
    };
    window.addEventListener('keydown', kd);
    window.addEventListener('keyup', ku);
    return () => {
      window.removeEventListener('keydown', kd);
      window.removeEventListener('keyup', ku);
    };
  });

  // the floor went to someone else while we talked: pre-empted or timed out
  useEffect(() => {
    if (state.s === 'granted' && (!floor || floor.talker.kind !== 'user' || floor.talker.id !== userId)) {
      if (Date.now() - state.since > 1000) setState({ s: 'idle', cut: true });
    }
  }, [floor, state, userId]);

  useEffect(() => {
    if (state.s !== 'granted') return;
    const iv = setInterval(() => setNow(Date.now()), 200);
    return () => clearInterval(iv);
  }, [state.s]);

  const label =
    state.s === 'granted'
      ? t('radio.granted')
      : state.s === 'requesting'
        ? t('radio.requesting')
        : state.s === 'busy'
          ? t('radio.busy')
          : t('radio.ptt');
  return (
    <div className="radio-ptt-box">
      <button
        ref={btn}
        type="button"
        className={`radio-ptt radio-ptt-${state.s}`}
        data-testid="radio-ptt"
        data-state={state.s}
        disabled={!canTalk}
        aria-pressed={state.s === 'granted'}
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture?.(e.pointerId);
          void down();
        }}
        onPointerUp={() => void up()}
        onPointerCancel={() => void up()}
        onContextMenu={(e) => e.preventDefault()}
      >
        {label}
      </button>
      <p className="radio-ptt-status" role="status" data-testid="radio-ptt-status">
        {state.s === 'granted' && (
          <span data-testid="radio-timer">
            {Math.floor((now - state.since) / 1000)} {t('radio.seconds')}
          </span>
        )}
        {state.s === 'busy' && (
          <span data-testid="radio-busy">
            {t('radio.busy')}：{t('radio.busyBy')} {talkerText(t, state.heldBy.talker)}（
            {t(`radio.rank.${state.heldBy.rank}` as never)}）
          </span>
        )}
        {state.s === 'idle' && state.cut && t('radio.cut')}
        {state.s === 'idle' && !state.cut && (canTalk ? t('radio.pttHint') : t('radio.listenOnly'))}
      </p>
      {err && <p className="error">{err}</p>}
    </div>
  );
}
