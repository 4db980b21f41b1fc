import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import type { SiteView, WarningStatus, WarningView } from '#contracts';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { AreaPicker } from './area-picker.js';
import { LevelPicker } from './level-picker.js';
import { warningApi } from './warning-api.js';
import { warningErrorText } from './warning-errors.js';
import {
  createRequest,
  emptyForm,
  formFromWarning,
  formProblems,
  regionCodes,
  sitesReached,
  updateRequest,
  type FormField,
  type WarningForm,
} from './warning-form.js';
import { STATUS_KEY } from './warning-labels.js';

interface Props {
  sites: SiteView[];
  /** the published warning a 变更 starts from; absent for a new draft */
  original?: WarningView;
  onClose: () => void;
  onDone: (id: string, message: string) => void;
}

const STATUSES: WarningStatus[] = ['Actual', 'Exercise', 'Test'];

/**
 * 预警制作 (and 变更): the warning as the issue lists it, zh-CN first with an optional en-US
 * block, the area from the site tree, times in Beijing time. A new warning is saved as a
 * draft; a 变更 is published at once as a new message referencing the original.
 */
export function WarningCompose({ sites, original, onClose, onDone }: Props) {
  const { t, lang } = useI18n();
  const [form, setForm] = useState<WarningForm>(() =>
    original ? formFromWarning(original, sites) : emptyForm(Date.now()),
  );
  const [shown, setShown] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const problems = formProblems(form, sites);
  const codes = useMemo(() => regionCodes(form, sites), [form, sites]);
  const chosen = useMemo(() => new Set(form.siteIds), [form.siteIds]);
  const set = <K extends keyof WarningForm>(k: K, v: WarningForm[K]) => setForm((f) => ({ ...f, [k]: v }));

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && !busy && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [busy, onClose]);

  const problem = (f: FormField): ReactNode =>
    shown && problems[f] ? (
      <span className="error warn-problem" id={`warn-p-${f}`}>
        {t(problems[f] as MessageKey)}
      </span>
    ) : null;
  const describedBy = (f: FormField) => (shown && problems[f] ? `warn-p-${f}` : undefined);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setShown(true);
    setError(null);
    if (Object.keys(problems).length) return;
    setBusy(true);
    try {
      if (original) {
        const req = updateRequest(form, original, sites);
        if (!req) {
          setError(t('warn.check.nothing'));
          return;
        }
        const res = await warningApi.update(original.id, req);
        onDone(res.id, t('warn.done.update'));
      } else {
        const res = await warningApi.create(createRequest(form, sites));
        onDone(res.id, t('warn.saved'));
      }
    } catch (err) {
      setError(warningErrorText(err, t, lang));
    } finally {
      setBusy(false);
    }
  };

  const text = (f: 'event' | 'headline', label: MessageKey, hint?: MessageKey) => (
    <div className="warn-field">
      <label>
        {t(label)}
        <input
          name={f}
          maxLength={f === 'event' ? 100 : 200}
          value={form[f]}
          placeholder={hint ? t(hint) : undefined}
          aria-invalid={shown && !!problems[f]}
          aria-describedby={describedBy(f)}
          onChange={(e) => set(f, e.target.value)}
        />
      </label>
      {problem(f)}
    </div>
  );
  const area = (f: 'description' | 'instruction', label: MessageKey) => (
    <div className="warn-field">
      <label>
        {t(label)}
        <textarea
          name={f}
          rows={3}
          value={form[f]}
          aria-invalid={shown && !!problems[f]}
          aria-describedby={describedBy(f)}
          onChange={(e) => set(f, e.target.value)}
        />
      </label>
      {problem(f)}
    </div>
  );
  const time = (f: 'onset' | 'expires', label: MessageKey) => (
    <div className="warn-field">
      <label>
        {t(label)}
        <input
          name={f}
          inputMode="numeric"
          value={form[f]}
          aria-invalid={shown && !!problems[f]}
          aria-describedby={describedBy(f) ?? 'warn-time-hint'}
          onChange={(e) => set(f, e.target.value)}
        />
      </label>
      {problem(f)}
    </div>
  );

  return (
    <div className="drawer warn-drawer" role="dialog" aria-labelledby="warn-compose-title">
      <form
        className="card warn-compose"
        onSubmit={(e) => void save(e)}
        noValidate
        data-testid="warn-compose"
      >
        <div className="drawer-head">
          <h2 id="warn-compose-title">
            {original ? `${t('warn.newUpdate')} · ${original.identifier}` : t('warn.new')}
          </h2>
          <button type="button" onClick={onClose}>
            {t('warn.close')}
          </button>
        </div>
        {text('event', 'warn.event', 'warn.eventHint')}
        <LevelPicker value={form.level} onChange={(l) => set('level', l)} />
        {text('headline', 'warn.headline')}
        {area('description', 'warn.description')}
        {area('instruction', 'warn.instruction')}
        <fieldset className="tree-box warn-areas" aria-describedby={describedBy('areas')}>
          <legend>{t('warn.areas')}</legend>
          <p className="muted">{t('warn.areasHint')}</p>
          <AreaPicker
            sites={sites}
            selected={chosen}
            onToggle={(id) =>
              set('siteIds', chosen.has(id) ? form.siteIds.filter((x) => x !== id) : [...form.siteIds, id])
            }
          />
        </fieldset>
        <p className="warn-reach" data-testid="warn-reach" aria-live="polite">
          {t('warn.areaCount')} {codes.length} · {t('warn.reach')} {sitesReached(codes, sites)}{' '}
          {t('warn.unit')}
        </p>
        {problem('areas')}
        <div className="warn-times">
          {time('onset', 'warn.onset')}
          {time('expires', 'warn.expires')}
        </div>
        <p id="warn-time-hint" className="muted">
          {t('warn.timeHint')}
        </p>
        {!original && (
          <label>
            {t('warn.status')}
            <select
              name="status"
              value={form.status}
              onChange={(e) => set('status', e.target.value as WarningStatus)}
            >
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(STATUS_KEY[s])}
                </option>
              ))}
            </select>
          </label>
        )}
        <details className="warn-en" open={!!form.enHeadline}>
          <summary>{t('warn.english')}</summary>
          <label>
            {t('warn.enHeadline')}
            <input lang="en" value={form.enHeadline} onChange={(e) => set('enHeadline', e.target.value)} />
          </label>
          <label>
            {t('warn.enDescription')}
            <textarea
              lang="en"
              rows={2}
              value={form.enDescription}
              onChange={(e) => set('enDescription', e.target.value)}
            />
          </label>
          <label>
            {t('warn.enInstruction')}
            <textarea
              lang="en"
              rows={2}
              value={form.enInstruction}
              onChange={(e) => set('enInstruction', e.target.value)}
            />
          </label>
          {problem('en')}
        </details>
        <button type="submit" className={`primary warn-save level-${form.level}`} disabled={busy}>
          {busy ? t('warn.saving') : original ? t('warn.sendUpdate') : t('warn.saveDraft')}
        </button>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </form>
    </div>
  );
}
