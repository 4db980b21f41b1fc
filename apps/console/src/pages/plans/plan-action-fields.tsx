import type { DirectiveLevel, DirectiveTemplateView, PlanAction, SiteView, TeamView } from '#contracts';
import { useI18n } from '../../i18n/index.js';

export interface Choices {
  sites: SiteView[];
  teams: TeamView[];
  templates: DirectiveTemplateView[];
}

const DLEVELS: DirectiveLevel[] = ['red', 'orange', 'yellow', 'blue'];

/** Checkboxes for sites or teams (a plan names a handful). */
function CheckList({
  label,
  items,
  value,
  onChange,
}: {
  label: string;
  items: { id: string; name: string }[];
  value: string[];
  onChange: (ids: string[]) => void;
}) {
  return (
    <fieldset className="plan-checks">
      <legend>{label}</legend>
      {items.map((x) => (
        <label key={x.id} className="plan-check">
          <input
            type="checkbox"
            checked={value.includes(x.id)}
            onChange={(e) => onChange(e.target.checked ? [...value, x.id] : value.filter((v) => v !== x.id))}
          />
          {x.name}
        </label>
      ))}
    </fieldset>
  );
}

/** The fields of one plan action, by kind. */
export function ActionFields({
  action,
  choices,
  onChange,
}: {
  action: PlanAction;
  choices: Choices;
  onChange: (a: PlanAction) => void;
}) {
  const { t } = useI18n();
  const text = (label: string, value: string, set: (v: string) => void, long = false) => (
    <label>
      {label}
      {long ? (
        <textarea rows={2} value={value} onChange={(e) => set(e.target.value)} />
      ) : (
        <input value={value} onChange={(e) => set(e.target.value)} />
      )}
    </label>
  );
  switch (action.kind) {
    case 'directive': {
      const a = action;
      return (
        <>
          <label>
            {t('plan.field.template')}
            <select
              value={a.templateId ?? ''}
              onChange={(e) =>
                onChange(
                  e.target.value
                    ? { kind: 'directive', templateId: e.target.value, targets: a.targets }
                    : { kind: 'directive', title: '', body: '', level: 'orange', targets: a.targets },
                )
              }
            >
              <option value="">{t('plan.field.noTemplate')}</option>
              {choices.templates.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          </label>
          {!a.templateId && (
            <>
              {text(t('plan.field.title'), a.title ?? '', (v) => onChange({ ...a, title: v }))}
              {text(t('plan.field.body'), a.body ?? '', (v) => onChange({ ...a, body: v }), true)}
              <label>
                {t('plan.field.level')}
                <select
                  value={a.level}
                  onChange={(e) => onChange({ ...a, level: e.target.value as DirectiveLevel })}
                >
                  {DLEVELS.map((l) => (
                    <option key={l} value={l}>
                      {t(`plan.dlevel.${l}`)}
                    </option>
                  ))}
                </select>
              </label>
            </>
          )}
          <CheckList
            label={t('plan.field.sites')}
            items={choices.sites}
            value={a.targets.siteIds ?? []}
            onChange={(siteIds) => onChange({ ...a, targets: { siteIds } })}
          />
        </>
      );
    }
    case 'consultation':
    case 'duty': {
      const a = action;
      return (
        <>
          <CheckList
            label={t('plan.field.sites')}
            items={choices.sites}
            value={a.siteIds}
            onChange={(siteIds) => onChange({ ...a, siteIds })}
          />
          {a.kind === 'duty' &&
            text(t('plan.field.note'), a.note ?? '', (v) => onChange({ ...a, note: v }), true)}
        </>
      );
    }
    case 'alert-teams':
      return (
        <CheckList
          label={t('plan.field.teams')}
          items={choices.teams.map((x) => ({ id: x.id, name: `${x.name}（${x.siteName}）` }))}
          value={action.teamIds}
          onChange={(teamIds) => onChange({ ...action, teamIds })}
        />
      );
    case 'warning': {
      const a = action;
      return (
        <>
          {text(t('plan.field.event'), a.event, (v) => onChange({ ...a, event: v }))}
          {text(t('plan.field.headline'), a.headline, (v) => onChange({ ...a, headline: v }))}
          <label>
            {t('plan.field.warnLevel')}
            <select
              value={a.level}
              onChange={(e) => onChange({ ...a, level: e.target.value as typeof a.level })}
            >
              {DLEVELS.map((l) => (
                <option key={l} value={l}>
                  {t(`plan.dlevel.${l}`)}
                </option>
              ))}
            </select>
          </label>
          {text(t('plan.field.body'), a.description, (v) => onChange({ ...a, description: v }), true)}
          {text(t('plan.field.instruction'), a.instruction, (v) => onChange({ ...a, instruction: v }), true)}
          {text(t('plan.field.regions'), a.areas.regionCodes.join(','), (v) =>
            onChange({ ...a, areas: { regionCodes: v.split(/[,，\s]+/).filter(Boolean) } }),
          )}
        </>
      );
    }
  }
}
