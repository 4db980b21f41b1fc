import { useCallback, useEffect, useState, type FormEvent } from 'react';
import {
  DUTY_LOG_ENTRY_KINDS,
  type DutyLogEntryView,
  type DutyLogVerifyView,
  type UserView,
} from '#contracts';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { dutyApi, shanghaiShort } from '../../lib/duty-api.js';
import '../../styles/duty-roster.css';
import { dutyErrorText, SitePicker, useDutySite } from './use-duty-site.js';

type Kind = (typeof DUTY_LOG_ENTRY_KINDS)[number];
const KIND_LABEL: Record<Kind, MessageKey> = {
  call: 'duty.kind.call',
  document: 'duty.kind.document',
  instruction: 'duty.kind.instruction',
  handling: 'duty.kind.handling',
  note: 'duty.kind.note',
};

/** 值班日志: typed entries, newest first, and a check that nothing was changed behind the hub's back. */
export function DutyLogPage({ user }: { user: UserView }) {
  const { t } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const { sites, siteId, setSiteId } = useDutySite(user, setError);
  const [entries, setEntries] = useState<DutyLogEntryView[]>([]);
  const [kind, setKind] = useState<Kind>('call');
  const [verify, setVerify] = useState<DutyLogVerifyView | null>(null);
  const fail = (err: unknown) => setError(dutyErrorText(err, t));

  const load = useCallback(() => {
    dutyApi.log(siteId).then(setEntries).catch(fail);
  }, [siteId]);
  useEffect(load, [load]);

  const record = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const opt = (k: string) => {
      const v = String(f.get(k) ?? '').trim();
      return v ? { [k]: v } : {};
    };
    dutyApi
      .writeLog({
        siteId,
        kind,
        text: String(f.get('text')),
        ...opt('caller'),
        ...opt('unit'),
        ...opt('phone'),
      })
      .then(() => {
        setError(null);
        form.reset();
        load();
      })
      .catch(fail);
  };

  return (
    <section className="duty-log" aria-labelledby="duty-log-title">
      <header className="roster-head">
        <h2 id="duty-log-title">{t('duty.navLog')}</h2>
        <SitePicker sites={sites} siteId={siteId} onChange={setSiteId} label={t('duty.site')} />
        <button type="button" onClick={() => void dutyApi.verifyLog().then(setVerify).catch(fail)}>
          {t('duty.verify')}
        </button>
        {verify && (
          <span
            className={verify.ok ? 'ok' : 'error'}
            role="status"
            data-testid="duty-log-verify"
            data-ok={verify.ok}
          >
            {verify.ok
              ? `${t('duty.verifyOk')} ${verify.checked} ${t('duty.entries')}`
              : `${t('duty.verifyBroken')} ${verify.brokenAt?.seq} ${t('duty.entry')}（${verify.brokenAt?.reason}）`}
          </span>
        )}
      </header>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <form className="card duty-log-form" onSubmit={record} data-testid="duty-log-form">
        <label>
          {t('duty.kind')}
          <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            {DUTY_LOG_ENTRY_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(KIND_LABEL[k])}
              </option>
            ))}
          </select>
        </label>
        {kind === 'call' && (
          <>
            <label>
              {t('duty.caller')}
              <input name="caller" maxLength={50} />
            </label>
            <label>
              {t('duty.phone')}
              <input name="phone" maxLength={32} inputMode="tel" />
            </label>
          </>
        )}
        {(kind === 'call' || kind === 'document') && (
          <label>
            {t('duty.unit')}
            <input name="unit" maxLength={100} />
          </label>
        )}
        <label className="wide">
          {t('duty.text')}
          <textarea name="text" rows={3} required maxLength={4000} />
        </label>
        <button type="submit" className="primary">
          {t('duty.record')}
        </button>
      </form>
      {entries.length === 0 ? (
        <p className="key-hint">{t('duty.noEntries')}</p>
      ) : (
        <table className="duty-log-table" data-testid="duty-log-table">
          <thead>
            <tr>
              <th>#</th>
              <th>{t('duty.time')}</th>
              <th>{t('duty.kind')}</th>
              <th>{t('duty.text')}</th>
              <th>{t('duty.by')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.seq} data-seq={e.seq}>
                <td className="mono">{e.seq}</td>
                <td>{shanghaiShort(e.at)}</td>
                <td>{t(KIND_LABEL[e.kind])}</td>
                <td>
                  {e.text}
                  {(e.caller || e.unit || e.phone) && (
                    <span className="key-hint">
                      {' '}
                      （{[e.caller, e.unit, e.phone].filter(Boolean).join(' · ')}）
                    </span>
                  )}
                </td>
                <td>{e.actorName ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
