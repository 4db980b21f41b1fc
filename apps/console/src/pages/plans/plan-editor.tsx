import { useState } from 'react';
import type { Hazard, PlanAction, PlanLevel, PlanView, ResponseLevel } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { ActionFields, type Choices } from './plan-action-fields.js';
import { planApi } from './plan-api.js';
import { ACTION_KINDS, blankAction, HAZARD_LIST, LEVELS, levelText, planErrorText } from './plan-model.js';

/**
 * 新建/修订预案: name, hazard, site, and per level Ⅰ–Ⅳ its actions. Saving an existing plan
 * writes a new version (the old one stays, and responses started from it keep it).
 */
export function PlanEditor({
  plan,
  choices,
  onSaved,
  onClose,
}: {
  plan: PlanView | null;
  choices: Choices;
  onSaved: (id: string) => void;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState(plan?.name ?? '');
  const [hazard, setHazard] = useState<Hazard>(plan?.hazard ?? 'flood');
  const [chosenSite, setSiteId] = useState(plan?.siteId ?? '');
  // the sites may arrive after the editor opens: the select then shows (and means) the first
  const siteId = chosenSite || choices.sites[0]?.id || '';
  const [levels, setLevels] = useState<Partial<Record<ResponseLevel, PlanAction[]>>>(() =>
    Object.fromEntries((plan?.levels ?? []).map((l) => [l.level, l.actions])),
  );
  const [adding, setAdding] = useState<PlanAction['kind']>('directive');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const setActions = (l: ResponseLevel, actions: PlanAction[] | undefined) =>
    setLevels((all) => ({ ...all, [l]: actions }));

  const save = async () => {
    if (!name.trim()) return setError(t('plan.err.name'));
    if (!siteId) return setError(t('plan.err.site'));
    const body: PlanLevel[] = LEVELS.filter((l) => levels[l]).map((l) => ({ level: l, actions: levels[l]! }));
    if (body.length === 0) return setError(t('plan.err.levels'));
    setBusy(true);
    try {
      const saved = plan
        ? await planApi.addVersion(plan.id, { name, hazard, levels: body })
        : await planApi.create({ name, hazard, siteId, levels: body });
      onSaved(saved.id);
    } catch (err) {
      setError(planErrorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="card plan-editor"
      aria-label={plan ? t('plan.edit') : t('plan.new')}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2>{plan ? t('plan.edit') : t('plan.new')}</h2>
      <label>
        {t('plan.name')}
        <input name="plan-name" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        {t('plan.hazard')}
        <select name="plan-hazard" value={hazard} onChange={(e) => setHazard(e.target.value as Hazard)}>
          {HAZARD_LIST.map((h) => (
            <option key={h} value={h}>
              {t(`plan.hazard.${h}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('plan.site')}
        <select value={siteId} disabled={!!plan} onChange={(e) => setSiteId(e.target.value)}>
          {choices.sites.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('plan.actionKind')}
        <select value={adding} onChange={(e) => setAdding(e.target.value as PlanAction['kind'])}>
          {ACTION_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`plan.kind.${k}`)}
            </option>
          ))}
        </select>
      </label>
      {LEVELS.map((l) => {
        const actions = levels[l];
        return (
          <fieldset key={l} className="plan-level" data-level={l}>
            <legend>
              <label className="plan-check">
                <input
                  type="checkbox"
                  checked={!!actions}
                  onChange={(e) => setActions(l, e.target.checked ? [] : undefined)}
                />
                {levelText(l)} · {t('plan.levelIncluded')}
              </label>
            </legend>
            {actions?.length === 0 && <p className="empty">{t('plan.noActions')}</p>}
            {actions?.map((a, i) => (
              <div key={i} className="plan-action" data-kind={a.kind}>
                <strong>{t(`plan.kind.${a.kind}`)}</strong>
                <ActionFields
                  action={a}
                  choices={choices}
                  onChange={(next) =>
                    setActions(
                      l,
                      actions.map((x, j) => (j === i ? next : x)),
                    )
                  }
                />
                <button
                  type="button"
                  onClick={() =>
                    setActions(
                      l,
                      actions.filter((_, j) => j !== i),
                    )
                  }
                >
                  {t('plan.removeAction')}
                </button>
              </div>
            ))}
            {actions && (
              <button type="button" onClick={() => setActions(l, [...actions, blankAction(adding)])}>
                {t('plan.addAction')}：{t(`plan.kind.${adding}`)}
              </button>
            )}
          </fieldset>
        );
      })}
      <div className="plan-buttons">
        <button type="submit" className="primary" disabled={busy}>
          {t('plan.save')}
        </button>
        <button type="button" onClick={onClose}>
          {t('plan.cancel')}
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
