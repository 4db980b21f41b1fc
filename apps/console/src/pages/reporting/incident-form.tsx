import { useState } from 'react';
import type { CreateIncidentRequest, IncidentLevel, SiteView } from '#contracts';
import { useRep } from '../../i18n/reporting.js';
import { zhReporting } from '../../i18n/zh-reporting.js';
import { reportingApi, LEVELS } from '../../lib/reporting-api.js';
import { DATE_TIME_PATTERN, localInputToIso, nowForInput } from '../../lib/time.js';
import { LEVEL_KEY } from './labels.js';
import { reportingErrorText } from './reporting-errors.js';

const CATEGORIES = ['catNatural', 'catAccident', 'catHealth', 'catSocial', 'catOther'] as const;
const CASUALTIES = ['dead', 'missing', 'injured', 'trapped'] as const;

/**
 * 信息报送's first step: open an incident. The clock starts at 接报时间, which defaults to
 * the moment the form is sent (not the minute typed in the box, which would start the
 * clock up to a minute early).
 */
export function IncidentForm({
  sites,
  defaultSiteId,
  onOpened,
  onCancel,
}: {
  sites: SiteView[];
  defaultSiteId: string;
  onOpened: (id: string) => void;
  onCancel: () => void;
}) {
  const { r } = useRep();
  const [siteId, setSiteId] = useState(defaultSiteId);
  const [title, setTitle] = useState('');
  const [category, setCategory] = useState<string>(CATEGORIES[0]);
  const [level, setLevel] = useState<IncidentLevel>('unrated');
  const [location, setLocation] = useState('');
  const [occurredAt, setOccurredAt] = useState('');
  const [learnedAt, setLearnedAt] = useState(() => nowForInput());
  const [learnedTouched, setLearnedTouched] = useState(false);
  const [summary, setSummary] = useState('');
  const [casualties, setCasualties] = useState<Record<string, string>>({});
  const [drill, setDrill] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    setError(null);
    const occurred = localInputToIso(occurredAt);
    const learned = learnedTouched ? localInputToIso(learnedAt) : new Date().toISOString();
    if (!occurred || !learned) return setError(r('errDateTime'));
    const counts = Object.fromEntries(
      CASUALTIES.filter((k) => casualties[k]?.trim()).map((k) => [k, Number(casualties[k])]),
    );
    const req: CreateIncidentRequest = {
      siteId,
      title: title.trim(),
      // stored in Chinese whatever the form's language: the record is read by zh-CN users
      category: zhReporting[category as (typeof CATEGORIES)[number]],
      level,
      occurredAt: occurred,
      learnedAt: learned,
      location: location.trim(),
      summary: summary.trim(),
      ...(Object.keys(counts).length ? { casualties: counts } : {}),
      drill,
    };
    setBusy(true);
    try {
      onOpened((await reportingApi.open(req)).id);
    } catch (err) {
      setError(reportingErrorText(err, r));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="card rep-form"
      data-testid="incident-form"
      aria-labelledby="incident-form-title"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3 id="incident-form-title">{r('newIncident')}</h3>
      {sites.length > 0 && (
        <label>
          {r('site')}
          <select value={siteId} onChange={(e) => setSiteId(e.target.value)} data-testid="incident-site">
            {sites.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="wide">
        {r('title')}
        <input required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
      </label>
      <label>
        {r('level')}
        <select value={level} onChange={(e) => setLevel(e.target.value as IncidentLevel)}>
          {LEVELS.map((l) => (
            <option key={l} value={l}>
              {r(LEVEL_KEY[l])}
            </option>
          ))}
        </select>
      </label>
      <label>
        {r('category')}
        <select value={category} onChange={(e) => setCategory(e.target.value)}>
          {CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {r(c)}
            </option>
          ))}
        </select>
      </label>
      <label className="wide">
        {r('place')}
        <input required maxLength={500} value={location} onChange={(e) => setLocation(e.target.value)} />
      </label>
      <label>
        {r('occurredAt')}
        <input
          required
          inputMode="numeric"
          pattern={DATE_TIME_PATTERN}
          placeholder="2026-12-06 14:03"
          value={occurredAt}
          onChange={(e) => setOccurredAt(e.target.value)}
        />
      </label>
      <label>
        {r('learnedAt')}
        <input
          required
          inputMode="numeric"
          pattern={DATE_TIME_PATTERN}
          value={learnedAt}
          onChange={(e) => {
            setLearnedTouched(true);
            setLearnedAt(e.target.value);
          }}
        />
      </label>
      <label className="wide">
        {r('summary')}
        <textarea rows={3} maxLength={10_000} value={summary} onChange={(e) => setSummary(e.target.value)} />
      </label>
      <fieldset className="wide rep-casualties">
        <legend>{r('casualties')}</legend>
        {CASUALTIES.map((k) => (
          <label key={k}>
            {r(k)}
            <input
              type="number"
              min={0}
              max={1_000_000}
              inputMode="numeric"
              value={casualties[k] ?? ''}
              onChange={(e) => setCasualties((c) => ({ ...c, [k]: e.target.value }))}
            />
          </label>
        ))}
      </fieldset>
      <label className="rep-check">
        <input type="checkbox" checked={drill} onChange={(e) => setDrill(e.target.checked)} />
        {r('drill')}
      </label>
      {error && (
        <p role="alert" className="error wide">
          {error}
        </p>
      )}
      <div className="wide rep-actions">
        <button type="submit" className="primary" disabled={busy}>
          {r('openIncident')}
        </button>
        <button type="button" onClick={onCancel}>
          {r('cancel')}
        </button>
      </div>
    </form>
  );
}
