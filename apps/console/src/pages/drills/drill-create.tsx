import { useState } from 'react';
import type { DrillKind, DrillView, SiteView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { beijingInput } from '../warnings/beijing-time.js';
import { drillApi } from './drill-api.js';
import { drillErrorText } from './drill-errors.js';
import { drillRequest, KIND_KEY, KINDS } from './drill-model.js';

/** 新建演练: name, kind, the sites taking part (the same multi-select as 查岗) and its window. */
export function DrillCreate({
  sites,
  onCreated,
  onClose,
}: {
  sites: SiteView[];
  onCreated: (d: DrillView) => void;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<DrillKind>('functional');
  const [siteIds, setSiteIds] = useState<string[]>([]);
  const [startsAt, setStartsAt] = useState(() => beijingInput(Date.now()));
  const [endsAt, setEndsAt] = useState(() => beijingInput(Date.now() + 2 * 3600_000));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const create = async () => {
    const req = drillRequest({ name, kind, siteIds, startsAt, endsAt });
    if (!req.ok) return setError(t(req.problem));
    setBusy(true);
    try {
      onCreated(await drillApi.create(req.body));
    } catch (err) {
      setError(drillErrorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="card drill-create"
      aria-label={t('drill.new')}
      onSubmit={(e) => {
        e.preventDefault();
        void create();
      }}
    >
      <h2>{t('drill.new')}</h2>
      <label>
        {t('drill.name')}
        <input value={name} required maxLength={200} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        {t('drill.kind')}
        <select value={kind} onChange={(e) => setKind(e.target.value as DrillKind)}>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t(KIND_KEY[k])}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('drill.sites')}
        <select
          multiple
          value={siteIds}
          size={Math.min(8, Math.max(3, sites.length))}
          onChange={(e) => setSiteIds([...e.target.selectedOptions].map((o) => o.value))}
        >
          {sites.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('drill.startsAt')}
        <input value={startsAt} inputMode="numeric" onChange={(e) => setStartsAt(e.target.value)} />
      </label>
      <label>
        {t('drill.endsAt')}
        <input value={endsAt} inputMode="numeric" onChange={(e) => setEndsAt(e.target.value)} />
      </label>
      <div className="drill-actions">
        <button type="submit" className="primary" disabled={busy}>
          {t('drill.create')}
        </button>
        <button type="button" onClick={onClose}>
          {t('drill.close')}
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
