import { useEffect, useState } from 'react';
import type { TransmissionView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { api, blobUrl, errorText } from '../../lib/api.js';
import { formatTime } from '../../lib/time.js';
import { talkerText } from './talker.js';

/** 最近通话: the talkgroup's last transmissions, newest first; 回放 fetches the recording with the token. */
export function History({ talkgroupId, refresh }: { talkgroupId: string; refresh: number }) {
  const { t } = useI18n();
  const [list, setList] = useState<TransmissionView[]>([]);
  const [playing, setPlaying] = useState<{ id: string; url: string } | null>(null);
  const [err, setErr] = useState<string | null>(null);

  useEffect(() => {
    api.transmissions(talkgroupId).then(setList, (e: unknown) => setErr(errorText(e)));
  }, [talkgroupId, refresh]);
  useEffect(() => () => void (playing && URL.revokeObjectURL(playing.url)), [playing]);

  const replay = async (tx: TransmissionView) => {
    setErr(null);
    try {
      setPlaying({ id: tx.id, url: await blobUrl(tx.audioUrl) });
    } catch (e) {
      setErr(errorText(e));
    }
  };
  return (
    <section className="radio-history" aria-label={t('radio.transmissions')}>
      <h3>{t('radio.transmissions')}</h3>
      {err && <p className="error">{err}</p>}
      {list.length === 0 && <p className="muted">{t('radio.noTransmissions')}</p>}
      <ul data-testid="radio-transmissions">
        {list.map((tx) => (
          <li key={tx.id}>
            <span className="radio-tx-who">{talkerText(t, tx.talker)}</span>
            <span className="radio-tx-when">{formatTime(tx.startedAt)}</span>
            <span className="radio-tx-len">
              {tx.durationMs === null ? '—' : `${(tx.durationMs / 1000).toFixed(1)} ${t('radio.seconds')}`}
              {tx.interrupted && ` · ${t('radio.interrupted')}`}
            </span>
            <button type="button" onClick={() => void replay(tx)} disabled={tx.endedAt === null}>
              {t('radio.replay')}
            </button>
            {playing?.id === tx.id && (
              <audio
                controls
                autoPlay
                src={playing.url}
                aria-label={t('radio.replay')}
                data-testid="radio-replay"
              />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
