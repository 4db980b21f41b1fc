import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import type { HandoverView, OpenItemView, UserView } from '#contracts';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { api } from '../../lib/api.js';
import { dutyApi, shanghaiShort } from '../../lib/duty-api.js';
import '../../styles/duty-roster.css';
import { dutyErrorText, SitePicker, useDutySite } from './use-duty-site.js';

const ITEM_LABEL: Record<string, MessageKey> = {
  directive: 'duty.item.directive',
  spot_check: 'duty.item.spot_check',
  report: 'duty.item.report',
};

/** 交接班: hand over with the open items filled in by the hub; the incoming officer confirms. */
export function HandoverPage({ user }: { user: UserView }) {
  const { t } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const { sites, siteId, setSiteId } = useDutySite(user, setError);
  const [handovers, setHandovers] = useState<HandoverView[]>([]);
  const [names, setNames] = useState(new Map<string, string>());
  const fail = (err: unknown) => setError(dutyErrorText(err, t));

  const load = useCallback(() => {
    dutyApi.handovers(siteId).then(setHandovers).catch(fail);
    // who may take over: those rostered around now, and (for dispatchers) the site's users
    const now = Date.now();
    const from = new Date(now - 12 * 3600_000).toISOString();
    const to = new Date(now + 36 * 3600_000).toISOString();
    const found = new Map<string, string>([[user.id, user.displayName ?? user.username]]);
    const rostered = dutyApi
      .shifts(siteId, from, to)
      .then((l) => l.forEach((s) => found.set(s.userId, s.name)));
    const listed =
      user.role === 'duty_officer'
        ? Promise.resolve()
        : api
            .users()
            .then((l) => l.filter((u) => u.siteId === siteId && !u.disabled))
            .then((l) => l.forEach((u) => found.set(u.id, u.displayName ?? u.username)));
    void Promise.allSettled([rostered, listed]).then(() => setNames(new Map(found)));
  }, [siteId]);
  useEffect(load, [load]);

  const candidates = useMemo(() => [...names].filter(([id]) => id !== user.id), [names, user.id]);
  const name = (id: string) => names.get(id) ?? id.slice(0, 8);

  const handOver = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const notes = String(f.get('notes') ?? '').trim();
    dutyApi
      .handOver({ siteId, toUserId: String(f.get('toUserId')), ...(notes && { notes }) })
      .then(() => {
        setError(null);
        setStatus(t('duty.handedOver'));
        load();
      })
      .catch(fail);
  };
  const confirm = (id: string) =>
    dutyApi
      .confirmHandover(id)
      .then(() => {
        setError(null);
        setStatus(t('duty.confirmed'));
        load();
      })
      .catch(fail);

  return (
    <section className="handover" aria-labelledby="handover-title">
      <header className="roster-head">
        <h2 id="handover-title">{t('duty.navHandover')}</h2>
        <SitePicker sites={sites} siteId={siteId} onChange={setSiteId} label={t('duty.site')} />
      </header>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {status && (
        <p className="ok" role="status">
          {status}
        </p>
      )}
      <form className="card" onSubmit={handOver} data-testid="handover-form">
        <label>
          {t('duty.handOverTo')}
          <select name="toUserId" required defaultValue="" data-testid="handover-to">
            <option value="" disabled>
              {t('duty.none')}
            </option>
            {candidates.map(([id, n]) => (
              <option key={id} value={id}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('duty.notes')}
          <textarea name="notes" rows={3} maxLength={4000} />
        </label>
        <button type="submit" className="primary">
          {t('duty.handOver')}
        </button>
      </form>
      <h3>{t('duty.recentHandovers')}</h3>
      {handovers.length === 0 && <p className="key-hint">{t('duty.noHandovers')}</p>}
      <ul className="handover-list">
        {handovers.map((h) => {
          const state = h.confirmedAt ? 'confirmed' : h.alertedAt ? 'overdue' : 'pending';
          return (
            <li key={h.id} className={`card handover-${state}`} data-testid="handover" data-state={state}>
              <p>
                {t('duty.from')} {name(h.fromUserId)} → {t('duty.to')} {name(h.toUserId)} ·{' '}
                {shanghaiShort(h.createdAt)} · {t('duty.dueBy')} {shanghaiShort(h.dueBy)} ·{' '}
                <strong>{t(`duty.${state}` as MessageKey)}</strong>
              </p>
              {h.notes && <p className="handover-notes">{h.notes}</p>}
              <OpenItems items={h.openItems} />
              {!h.confirmedAt && h.toUserId === user.id && (
                <button type="button" className="primary" onClick={() => void confirm(h.id)}>
                  {t('duty.confirm')}
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function OpenItems({ items }: { items: OpenItemView[] }) {
  const { t } = useI18n();
  if (items.length === 0) return <p className="key-hint">{t('duty.noOpenItems')}</p>;
  return (
    <div>
      <h4>
        {t('duty.openItems')} ({items.length})
      </h4>
      <ul className="open-items" data-testid="open-items">
        {items.map((i) => (
          <li key={`${i.kind}:${i.id}`}>
            <span className="badge">{ITEM_LABEL[i.kind] ? t(ITEM_LABEL[i.kind]!) : i.kind}</span> {i.title}
          </li>
        ))}
      </ul>
    </div>
  );
}
