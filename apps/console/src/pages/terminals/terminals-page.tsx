import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import type { SiteView, TerminalCredentials, TerminalKind, TerminalView, UserView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { OutputButtons, PrintHead } from '../../components/output-buttons.js';
import { SiteMap, type SiteMark } from '../../components/site-map.js';
import { api, errorText } from '../../lib/api.js';
import { csvName, downloadCsv } from '../../lib/csv.js';
import { terminalsCsv } from '../../lib/record-csv.js';
import { useNow } from '../../lib/time.js';
import '../../styles/record.css';
import { SecretBox } from './secret-box.js';
import { orderTerminals, siteTerminalTone } from './terminal-order.js';
import { TerminalRow } from './terminal-row.js';

const REFRESH_MS = 10_000;

/**
 * 终端与电台: what needs chasing first (offline, low battery), then presence, power, link and
 * last seen; provision, rotate, revoke and 测试呼叫 for managers.
 */
export function TerminalsPage({ user }: { user: UserView }) {
  const { t } = useI18n();
  const now = useNow(30_000);
  const [notice, setNotice] = useState<string | null>(null);
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
  const ordered = orderTerminals(terminals, siteName);
  const marks = useMemo(
    () =>
      new Map<string, SiteMark>(
        sites.map((s) => {
          const tone = siteTerminalTone(terminals.filter((tm) => tm.siteId === s.id));
          return [s.id, { tone: tone.tone, text: t(tone.key) }];
        }),
      ),
    [sites, terminals, t],
  );
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
        <div className="section-head">
          <h2 id="term-title">{t('terminals')}</h2>
          <OutputButtons
            testId="terminals-out"
            onCsv={() => downloadCsv(csvName(t('out.terminalsTitle')), terminalsCsv(ordered, siteName, t))}
          />
        </div>
        <PrintHead title={t('out.terminalsTitle')} />
        {error && (
          <p role="alert" className="error">
            {t('errorPrefix')}: {error}
          </p>
        )}
        {notice && (
          <p role="status" className="hint" data-testid="terminal-notice">
            {notice}
          </p>
        )}
        {secret && <SecretBox cred={secret} onClose={() => setSecret(null)} />}
        <div className="table-scroll">
          <table className="record-terminals">
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
              {ordered.map((tm) => (
                <TerminalRow
                  key={tm.id}
                  tm={tm}
                  siteName={siteName(tm.siteId)}
                  manage={manage}
                  now={now}
                  onSecret={setSecret}
                  onChanged={load}
                  onMessage={(text, isError) => (isError ? setError(text) : setNotice(text))}
                />
              ))}
            </tbody>
          </table>
        </div>
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
      <SiteMap
        sites={sites}
        marks={marks}
        title={t('map.terminals')}
        testId="terminals-map"
        legend={[
          { tone: 'alert', text: t('offline') },
          { tone: 'warn', text: t('record.term.lowBattery') },
          { tone: 'ok', text: t('online') },
          { tone: 'idle', text: t('map.noTerminal') },
        ]}
      />
    </div>
  );
}
