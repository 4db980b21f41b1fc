import { useCallback, useEffect, useState } from 'react';
import {
  EXPERT_CATEGORIES,
  type ConsultationView,
  type ExpertCategory,
  type ExpertInvitationView,
  type ExpertView,
  type SiteView,
  type UserView,
} from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { CsvButtons, importedText, PageMessages, usePageMessages } from '../../components/resource-list.js';
import { api } from '../../lib/api.js';
import { csvName } from '../../lib/csv.js';
import '../../styles/stock.css';
import { expertApi } from '../stock/stock-api.js';
import { stockErrorText } from '../stock/stock-errors.js';
import { CATEGORY_KEY, ExpertForm, InviteForm } from './expert-forms.js';

const mayKeep = (u: UserView) => u.role === 'admin' || u.role === 'commander';
const mayInvite = (u: UserView) => u.role !== 'duty_officer';

/**
 * 专家库: experts by category, a new expert, availability, the CSV pair, and an invitation
 * to a 视频会商 that shows each invited expert's phones to call (docs/stock-and-experts.md).
 */
export default function ExpertsPage({ user }: { user: UserView }) {
  const { t, lang } = useI18n();
  const [category, setCategory] = useState<ExpertCategory | ''>('');
  const [experts, setExperts] = useState<ExpertView[]>([]);
  const [sites, setSites] = useState<SiteView[]>([]);
  const [consultations, setConsultations] = useState<ConsultationView[]>([]);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [creating, setCreating] = useState(false);
  const [invited, setInvited] = useState<ExpertInvitationView[]>([]);
  const { notice, error, fail, say } = usePageMessages((err) => stockErrorText(err, t, lang));

  const load = useCallback(() => {
    expertApi.list(category || undefined).then(setExperts, fail);
  }, [category, fail]);
  useEffect(load, [load]);
  useEffect(() => {
    api.sites().then(setSites, fail);
    // with the SFU off there are no consultations to invite to: the form says so
    if (mayInvite(user)) api.consultations().then(setConsultations, () => setConsultations([]));
  }, [fail, user]);

  const toggle = (id: string) => {
    const next = new Set(picked);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setPicked(next);
  };
  const setAvailable = async (e: ExpertView, available: boolean) => {
    try {
      await expertApi.update(e.id, { available });
      load();
    } catch (err) {
      fail(err);
    }
  };
  return (
    <div className="stock-page">
      <div className="stock-top">
        <h1>{t('expert.title')}</h1>
        <select
          aria-label={t('expert.category')}
          value={category}
          onChange={(e) => setCategory(e.target.value as ExpertCategory | '')}
        >
          <option value="">{t('expert.all')}</option>
          {EXPERT_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {t(CATEGORY_KEY[c])}
            </option>
          ))}
        </select>
        {mayKeep(user) && <button onClick={() => setCreating(true)}>{t('expert.new')}</button>}
        <CsvButtons
          exportLabel={t('stock.export')}
          importLabel={t('stock.import')}
          fileName={() => csvName(t('expert.title'))}
          canImport={mayKeep(user)}
          api={expertApi}
          onImported={(r) => {
            say(importedText(t('stock.imported'), r));
            load();
          }}
          onError={fail}
        />
      </div>
      <PageMessages notice={notice} error={error} />
      {creating && (
        <ExpertForm
          sites={sites}
          onDone={() => {
            setCreating(false);
            say(t('stock.saved'));
            load();
          }}
          onClose={() => setCreating(false)}
        />
      )}
      {invited.length > 0 && (
        <section className="card expert-invited" aria-label={t('expert.invited')}>
          <h2>{t('expert.invited')}</h2>
          <ul>
            {invited.map((i) => (
              <li key={i.id}>
                <strong>{i.name}</strong>{' '}
                <span className="expert-phones">
                  {i.phones.map((p) => (
                    <a key={p} href={`tel:${p.replace(/[^0-9+]/g, '')}`}>
                      {p}
                    </a>
                  ))}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {mayInvite(user) && picked.size > 0 && (
        <InviteForm
          experts={experts.filter((e) => picked.has(e.id))}
          consultations={consultations}
          onInvited={setInvited}
        />
      )}
      <section className="card">
        {experts.length === 0 ? (
          <p>{t('expert.empty')}</p>
        ) : (
          <div className="table-scroll">
            <table className="stock-items">
              <thead>
                <tr>
                  {mayInvite(user) && <th>{t('expert.pick')}</th>}
                  <th>{t('expert.name')}</th>
                  <th>{t('expert.category')}</th>
                  <th>{t('expert.specialty')}</th>
                  <th>{t('expert.organisation')}</th>
                  <th>{t('expert.phone')}</th>
                  <th>{t('expert.available')}</th>
                </tr>
              </thead>
              <tbody>
                {experts.map((e) => (
                  <tr key={e.id}>
                    {mayInvite(user) && (
                      <td>
                        <input
                          type="checkbox"
                          aria-label={e.name}
                          checked={picked.has(e.id)}
                          onChange={() => toggle(e.id)}
                        />
                      </td>
                    )}
                    <td>{e.name}</td>
                    <td>{t(CATEGORY_KEY[e.category])}</td>
                    <td>{e.specialty}</td>
                    <td>{e.organisation}</td>
                    <td>{e.phones.join('、')}</td>
                    <td>
                      {mayKeep(user) ? (
                        <input
                          type="checkbox"
                          aria-label={`${e.name} ${t('expert.available')}`}
                          checked={e.available}
                          onChange={(ev) => void setAvailable(e, ev.target.checked)}
                        />
                      ) : (
                        t(e.available ? 'expert.yes' : 'expert.no')
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
