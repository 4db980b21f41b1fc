import { useEffect } from 'react';
import type { RadioEmergencyView, TalkgroupView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { formatTime } from '../../lib/time.js';

/** A two-tone siren on WebAudio while an emergency waits for its acknowledgement. */
function useSiren(on: boolean): void {
  useEffect(() => {
    if (!on) return;
    const ctx = new AudioContext();
    const gain = ctx.createGain();
    gain.gain.value = 0.25;
    gain.connect(ctx.destination);
    const osc = ctx.createOscillator();
    osc.frequency.value = 960;
    osc.connect(gain);
    osc.start();
    let high = false;
    const iv = setInterval(() => {
      high = !high;
      osc.frequency.setValueAtTime(high ? 1280 : 960, ctx.currentTime);
    }, 500);
    return () => {
      clearInterval(iv);
      void ctx.close();
    };
  }, [on]);
}

/** 紧急告警: every radio emergency not yet acknowledged, with 确认处理. */
export function Emergencies(props: {
  list: RadioEmergencyView[];
  talkgroups: TalkgroupView[];
  canAck: boolean;
  onAck: (id: string) => void;
}) {
  const { t } = useI18n();
  const open = props.list.filter((e) => !e.ackedAt);
  useSiren(open.length > 0);
  if (open.length === 0) return null;
  const tgOf = (id: string) => props.talkgroups.find((x) => x.id === id);
  return (
    <section className="radio-emergencies" role="alert" aria-label={t('radio.emergencies')}>
      {open.map((e) => {
        const tg = tgOf(e.talkgroupId);
        const gw = tg?.gateways.find((g) => g.id === e.terminalId);
        return (
          <div key={e.id} className="radio-emergency" data-testid="radio-emergency">
            <strong>{t('radio.emergency')}</strong>
            <span>
              {tg?.name ?? ''} · {t('radio.kind.gateway')} {gw?.name ?? ''} · {formatTime(e.raisedAt)}
            </span>
            {props.canAck && (
              <button type="button" onClick={() => props.onAck(e.id)}>
                {t('radio.ack')}
              </button>
            )}
          </div>
        );
      })}
    </section>
  );
}
