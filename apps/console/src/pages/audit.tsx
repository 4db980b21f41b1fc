import { useEffect, useState } from 'react';
import type { AuditEntryView, AuditVerifyResponse } from '#contracts';
import { useI18n } from '../i18n/index.js';
import { api, errorText } from '../lib/api.js';
import { formatTime } from '../lib/time.js';

/** 审计日志 (admin): the append-only log and a check of its hash chain. */
export function AuditPage() {
  const { t, lang } = useI18n();
  const [rows, setRows] = useState<AuditEntryView[]>([]);
  const [more, setMore] = useState(true);
  const [verify, setVerify] = useState<AuditVerifyResponse | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = (after?: number) =>
    api
      .audit(after)
      .then((page) => {
        setRows((cur) => (after ? [...cur, ...page] : page));
        setMore(page.length === 100);
      })
      .catch((err: unknown) => setError(errorText(err)));
  useEffect(() => void load(), []);

  return (
    <section className="card audit" aria-labelledby="audit-title">
      <h2 id="audit-title">{t('audit')}</h2>
      <button
        type="button"
        className="primary"
        onClick={() =>
          api
            .verifyAudit()
            .then(setVerify)
            .catch((err: unknown) => setError(errorText(err)))
        }
      >
        {t('verifyChain')}
      </button>
      {verify && (
        <p role="status" className={verify.ok ? 'ok' : 'error'} data-testid="chain-result">
          {verify.ok ? t('chainOk') : t('chainBroken')} · {t('checked')} {verify.checked}
          {verify.brokenAt && ` · #${verify.brokenAt.seq}: ${verify.brokenAt.reason}`}
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {t('errorPrefix')}: {error}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t('time')}</th>
            <th scope="col">{t('action')}</th>
            <th scope="col">{t('subject')}</th>
            <th scope="col">{t('actor')}</th>
            <th scope="col">hash</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.seq}>
              <td>{r.seq}</td>
              <td>{formatTime(r.at, lang)}</td>
              <td>{r.action}</td>
              <td>
                {r.subjectType} {r.subjectId?.slice(0, 8)}
              </td>
              <td>{r.actorId?.slice(0, 8) ?? '—'}</td>
              <td className="mono">{r.hash.slice(0, 12)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {more && rows.length > 0 && (
        <button type="button" onClick={() => void load(rows.at(-1)!.seq)}>
          {t('loadMore')}
        </button>
      )}
    </section>
  );
}
