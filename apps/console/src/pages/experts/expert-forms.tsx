import { useState, type FormEvent } from 'react';
import {
  EXPERT_CATEGORIES,
  type ConsultationView,
  type ExpertCategory,
  type ExpertInvitationView,
  type ExpertView,
  type SiteView,
} from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { expertApi } from '../stock/stock-api.js';
import { stockErrorText } from '../stock/stock-errors.js';
import { Field, FormCard, PickOne, useFields } from '../stock/stock-forms.js';

export const CATEGORY_KEY = {
  natural: 'expert.cat.natural',
  accident: 'expert.cat.accident',
  health: 'expert.cat.health',
  social: 'expert.cat.social',
} as const;

/** 新增专家: the owning site, category, specialty, organisation, phones and availability. */
export function ExpertForm({
  sites,
  onDone,
  onClose,
}: {
  sites: SiteView[];
  onDone: () => void;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const { f, set, put } = useFields({
    siteId: '',
    name: '',
    category: 'natural' as ExpertCategory,
    specialty: '',
    organisation: '',
    phones: '',
  });
  const [available, setAvailable] = useState(true);
  const submit = async () => {
    const phones = f.phones.split(/[;；,，\s]+/).filter(Boolean);
    // no site listed: the server files the expert under the caller's own site
    await expertApi.create({ ...f, siteId: f.siteId || sites[0]?.id, phones, available });
    onDone();
  };
  return (
    <FormCard title={t('expert.new')} onSubmit={submit} onClose={onClose}>
      <PickOne label={t('stock.site')} value={f.siteId} options={sites} onChange={put('siteId')} />
      <Field label={t('expert.name')}>
        <input value={f.name} required maxLength={100} onChange={set('name')} />
      </Field>
      <Field label={t('expert.category')}>
        <select value={f.category} onChange={set('category')}>
          {EXPERT_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {t(CATEGORY_KEY[c])}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('expert.specialty')}>
        <input value={f.specialty} required maxLength={200} onChange={set('specialty')} />
      </Field>
      <Field label={t('expert.organisation')}>
        <input value={f.organisation} required maxLength={200} onChange={set('organisation')} />
      </Field>
      <Field label={t('expert.phones')}>
        <input value={f.phones} required inputMode="tel" onChange={set('phones')} />
      </Field>
      <label>
        <input type="checkbox" checked={available} onChange={(e) => setAvailable(e.target.checked)} />
        {t('expert.available')}
      </label>
    </FormCard>
  );
}

/** 邀请专家参加会商: pick an open consultation; the answer lists each expert's phones to call. */
export function InviteForm({
  experts,
  consultations,
  onInvited,
}: {
  experts: ExpertView[];
  consultations: ConsultationView[];
  onInvited: (rows: ExpertInvitationView[]) => void;
}) {
  const { t, lang } = useI18n();
  const open = consultations.filter((c) => c.state !== 'ended');
  const [consultationId, setConsultationId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const chosen = consultationId || open[0]?.id || '';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (experts.length === 0) return setError(t('expert.pickExperts'));
    try {
      onInvited(await expertApi.invite({ consultationId: chosen, expertIds: experts.map((x) => x.id) }));
      setError(null);
    } catch (err) {
      setError(stockErrorText(err, t, lang));
    }
  };
  return (
    <form className="card stock-form" aria-label={t('expert.invite')} onSubmit={(e) => void submit(e)}>
      <h2>{t('expert.invite')}</h2>
      {open.length === 0 ? (
        <p>{t('expert.noConsultation')}</p>
      ) : (
        <label>
          {t('expert.consultation')}
          <select value={chosen} onChange={(e) => setConsultationId(e.target.value)}>
            {open.map((c) => (
              <option key={c.id} value={c.id}>
                {c.title}
              </option>
            ))}
          </select>
        </label>
      )}
      <p>
        {t('expert.chosen')}：{experts.map((x) => x.name).join('、')}
      </p>
      <div className="stock-actions">
        <button type="submit" className="primary" disabled={!chosen}>
          {t('expert.inviteSend')}
        </button>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}
