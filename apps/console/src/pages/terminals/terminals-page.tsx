import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { SiteView, TerminalCredentials, TerminalKind, TerminalView, UserView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { api, errorText } from '../../lib/api.js';
import { formatTime } from '../../lib/time.js';
import { CountyMap } from './county-map.js';

const REFRESH_MS = 10_000;

/** 终端与电台: presence, power, link and last seen; provision and rotate for managers. */
export function TerminalsPage({ user }: { user: UserView }) {
  const { t, lang } = useI18n();
  const [sites, setSites] = useState<SiteView[]>([]);
  const [terminals, setTerminals] = useState<TerminalView[]>([]);
  const [secret, setSecret] = useState<TerminalCredentials | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [siteId, setSiteId] = useState('');
  const [kind, setKind] = useState<TerminalKind>('push');
  const [talkgroup, setTalkgroup] = useState('');
  const manage = user.role === 'admin' || user.role === 'commander';

  const load = useCallback(() => {
    Promise.all([api.sites(), api.terminals()])
      .then(([s, tm]) => {
        setSites(s);
        setTerminals(tm);
        setError(null);
      })
      .catch((err: unknown) => setError(errorText(err)));
  }, []);
  useEffect(() => {
    load();
    const h = setInterval(load, REFRESH_MS);
    return () => clearInterval(h);
  }, [load]);

  const siteName = (id: string) => sites.find((s) => s.id === id)?.name ?? id;
  const provision = (e: FormEvent) => {
    e.preventDefault();
    api
      .provision({ name, siteId, kind, ...(kind === 'radio' && talkgroup ? { talkgroup } : {}) })
      .then((cred) => {
        setSecret(cred);
        setName('');
        load();
      })
      .catch((err: unknown) => setError(errorText(err)));
  };

  return (
    <div className="terminals-page">
      <section className="card" aria-labelledby="term-title">
        <h2 id="term-title">{t('terminals')}</h2>
        {error && (
          <p role="alert" className="error">
            {t('errorPrefix')}: {error}
          </p>
        )}
        {secret && (
          <div role="status" className="secret">
            <strong>{t('secretOnce')}</strong>
            <code data-testid="terminal-id">{secret.id}</code>
            <code data-testid="terminal-secret">{secret.secret}</code>
            <button type="button" onClick={() => setSecret(null)}>
              {t('close')}
            </button>
          </div>
        )}
        <table>
          <thead>
            <tr>
              <th scope="col">{t('name')}</th>
              <th scope="col">{t('site')}</th>
              <th scope="col">{t('kind')}</th>
              <th scope="col">{t('presence')}</th>
              <th scope="col">{t('power')}</th>
              <th scope="col">{t('link')}</th>
              <th scope="col">{t('lastSeen')}</th>
              {manage && <th scope="col">{t('actions')}</th>}
            </tr>
          </thead>
          <tbody>
            {terminals.map((tm) => (
              <tr key={tm.id} data-testid="terminal-row">
                <th scope="row">
                  {tm.name} <small className="mono">{tm.id}</small>
                </th>
                <td>{siteName(tm.siteId)}</td>
                <td>
                  {t(tm.kind === 'push' ? 'kindPush' : 'kindRadio')}
                  {tm.talkgroup && ` · ${tm.talkgroup}`}
                </td>
                <td>
                  <span className={`presence term-${tm.presence}`}>{t(tm.presence)}</span>
                </td>
                <td>
                  {tm.telemetry?.power ? t(tm.telemetry.power) : '—'}
                  {tm.telemetry?.battery !== undefined && ` ${tm.telemetry.battery}%`}
                </td>
                <td>{tm.telemetry?.link ?? '—'}</td>
                <td>{formatTime(tm.lastSeenAt, lang)}</td>
                {manage && (
                  <td>
                    <button
                      type="button"
                      aria-label={`${t('rotate')} ${tm.name}`}
                      onClick={() =>
                        void api
                          .rotate(tm.id)
                          .then(setSecret)
                          .catch((err: unknown) => setError(errorText(err)))
                      }
                    >
                      {t('rotate')}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
        {manage && (
          <form className="provision" onSubmit={provision} aria-labelledby="prov-title">
            <h3 id="prov-title">{t('provision')}</h3>
            <label>
              {t('name')}
              <input required value={name} onChange={(e) => setName(e.target.value)} />
            </label>
            <label>
              {t('site')}
              <select required value={siteId} onChange={(e) => setSiteId(e.target.value)}>
                <option value="">—</option>
                {sites.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('kind')}
              <select value={kind} onChange={(e) => setKind(e.target.value as TerminalKind)}>
                <option value="push">{t('kindPush')}</option>
                <option value="radio">{t('kindRadio')}</option>
              </select>
            </label>
            {kind === 'radio' && (
              <label>
                {t('talkgroup')}
                <input value={talkgroup} onChange={(e) => setTalkgroup(e.target.value)} />
              </label>
            )}
            <button type="submit" className="primary">
              {t('provision')}
            </button>
          </form>
        )}
      </section>
      <CountyMap sites={sites} terminals={terminals} />
    </div>
  );
}
