import { useState } from 'react';
import type { DirectiveLevel, DrillView } from '#contracts';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { drillApi } from './drill-api.js';
import { drillErrorText } from './drill-errors.js';

const LEVELS: [DirectiveLevel, MessageKey][] = [
  ['red', 'levelRed'],
  ['orange', 'levelOrange'],
  ['yellow', 'levelYellow'],
  ['blue', 'levelBlue'],
];

/**
 * 在本演练中下达指令: a short directive to the drill's sites, carrying its drillId (the server
 * marks it 演练 and keeps it to the drill's sites). The board's composer stays for real work.
 */
export function DrillCompose({ drill, onIssued }: { drill: DrillView; onIssued: () => void }) {
  const { t } = useI18n();
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [level, setLevel] = useState<DirectiveLevel>('yellow');
  const [chosen, setChosen] = useState<string[]>(() => drill.sites.map((s) => s.id));
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const send = async () => {
    if (chosen.length === 0) return setMessage({ ok: false, text: t('drill.err.noSites') });
    setBusy(true);
    try {
      await drillApi.issue({ title, body, level, targets: { siteIds: chosen }, drillId: drill.id });
      setMessage({ ok: true, text: t('drill.issued') });
      setTitle('');
      setBody('');
      onIssued();
    } catch (err) {
      setMessage({ ok: false, text: drillErrorText(err, t) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="card drill-compose"
      aria-label={t('drill.issue')}
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <h3>
        {t('drill.issue')} <span className="badge drill">{t('drill.badge')}</span>
      </h3>
      <label>
        {t('drill.issueTitle')}
        <input value={title} maxLength={200} required onChange={(e) => setTitle(e.target.value)} />
      </label>
      <label>
        {t('drill.issueBody')}
        <textarea value={body} rows={3} maxLength={4000} required onChange={(e) => setBody(e.target.value)} />
      </label>
      <label>
        {t('drill.issueLevel')}
        <select value={level} onChange={(e) => setLevel(e.target.value as DirectiveLevel)}>
          {LEVELS.map(([l, key]) => (
            <option key={l} value={l}>
              {t(key)}
            </option>
          ))}
        </select>
      </label>
      <fieldset>
        <legend>{t('drill.sites')}</legend>
        {drill.sites.map((s) => (
          <label key={s.id} className="drill-site-check">
            <input
              type="checkbox"
              checked={chosen.includes(s.id)}
              onChange={(e) =>
                setChosen((c) => (e.target.checked ? [...c, s.id] : c.filter((x) => x !== s.id)))
              }
            />
            {s.name}
          </label>
        ))}
      </fieldset>
      <button type="submit" className="primary" disabled={busy}>
        {t('drill.issueSend')}
      </button>
      {message && (
        <p role={message.ok ? 'status' : 'alert'} className={message.ok ? 'ok' : 'error'}>
          {message.text}
        </p>
      )}
    </form>
  );
}
