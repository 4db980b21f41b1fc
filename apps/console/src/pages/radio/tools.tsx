import { useState } from 'react';
import type { TalkgroupView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { api, errorText } from '../../lib/api.js';

/** 文字播报 (text spoken on air) and 通话组互通 (patch) for the open talkgroup. */
export function Tools(props: { tg: TalkgroupView; all: TalkgroupView[]; onChanged: () => void }) {
  const { t } = useI18n();
  const { tg, all } = props;
  const [text, setText] = useState('');
  const [other, setOther] = useState('');
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const run = async (fn: () => Promise<unknown>, done?: string) => {
    setMsg(null);
    try {
      await fn();
      if (done) setMsg({ ok: true, text: done });
      props.onChanged();
    } catch (e) {
      setMsg({ ok: false, text: errorText(e) });
    }
  };
  const others = all.filter((x) => x.id !== tg.id && x.codec === tg.codec);
  const name = (id: string) => all.find((x) => x.id === id)?.name ?? id;
  return (
    <section className="radio-tools">
      <form
        className="radio-announce"
        onSubmit={(e) => {
          e.preventDefault();
          void run(() => api.announce(tg.id, text.trim()), t('radio.announced')).then(() => setText(''));
        }}
      >
        <h3>{t('radio.announce')}</h3>
        <label>
          {t('radio.announceText')}
          <textarea value={text} maxLength={500} rows={2} onChange={(e) => setText(e.target.value)} />
        </label>
        <button type="submit" disabled={!text.trim()}>
          {t('radio.announceSend')}
        </button>
      </form>
      <div className="radio-patch">
        <h3>{t('radio.patch')}</h3>
        {tg.patchedWith.length > 0 && (
          <ul>
            {tg.patchedWith.map((id) => (
              <li key={id}>
                {t('radio.patchedWith')} {name(id)}{' '}
                <button type="button" onClick={() => void run(() => api.unpatch(tg.id, id))}>
                  {t('radio.patchOff')}
                </button>
              </li>
            ))}
          </ul>
        )}
        <label>
          {t('radio.patchWith')}
          <select value={other} onChange={(e) => setOther(e.target.value)}>
            <option value="">—</option>
            {others
              .filter((x) => !tg.patchedWith.includes(x.id))
              .map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
          </select>
        </label>
        <button type="button" disabled={!other} onClick={() => void run(() => api.patch(tg.id, other))}>
          {t('radio.patchOn')}
        </button>
      </div>
      {msg && (
        <p className={msg.ok ? 'ok' : 'error'} role="status">
          {msg.text}
        </p>
      )}
    </section>
  );
}
