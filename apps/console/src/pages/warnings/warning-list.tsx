import type { WarningState, WarningSummaryView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { beijingShort } from './beijing-time.js';
import { LEVEL_KEY, MSG_KEY, STATE_KEY, STATUS_KEY } from './warning-labels.js';
import { byAttention, effectiveState, FILTER_STATES } from './warning-rules.js';

interface Props {
  warnings: WarningSummaryView[];
  filter: WarningState | '';
  onFilter: (f: WarningState | '') => void;
  selectedId: string | null;
  onSelect: (id: string) => void;
  now: number;
}

/** Every message in scope, warnings in force first; the level's colour is the biggest thing on a row. */
export function WarningList({ warnings, filter, onFilter, selectedId, onSelect, now }: Props) {
  const { t } = useI18n();
  const rows = [...warnings].sort(byAttention(now));
  return (
    <section className="card warn-list" aria-labelledby="warn-list-title">
      <div className="warn-list-head">
        <h2 id="warn-list-title">{t('warn.list')}</h2>
        <label>
          {t('warn.filter')}
          <select
            value={filter}
            data-testid="warn-filter"
            onChange={(e) => onFilter(e.target.value as WarningState | '')}
          >
            <option value="">{t('warn.filter.all')}</option>
            {FILTER_STATES.map((s) => (
              <option key={s} value={s}>
                {t(STATE_KEY[s])}
              </option>
            ))}
          </select>
        </label>
      </div>
      {rows.length === 0 && <p className="empty">{t('warn.empty')}</p>}
      <ul className="warn-rows">
        {rows.map((w) => {
          const state = effectiveState(w.state, w.expires, now);
          const marker = MSG_KEY[w.msgType];
          return (
            <li key={w.id}>
              <button
                type="button"
                className={`warn-row state-${state}`}
                aria-current={w.id === selectedId ? 'true' : undefined}
                data-testid="warn-row"
                data-warning-id={w.id}
                data-state={state}
                onClick={() => onSelect(w.id)}
              >
                <span className={`warn-level-block level-${w.level}`}>{t(LEVEL_KEY[w.level])}</span>
                <span className="warn-row-main">
                  <span className="warn-row-title">
                    {marker && <span className={`badge warn-msg msg-${w.msgType}`}>{t(marker)}</span>}
                    {w.headline}
                  </span>
                  <span className="warn-row-meta">
                    <span className={`badge warn-state state-${state}`} data-testid="warn-state">
                      {t(STATE_KEY[state])}
                    </span>
                    {w.status !== 'Actual' && <span className="badge drill">{t(STATUS_KEY[w.status])}</span>}
                    {w.emergency && (
                      <span className="badge warn-emergency-mark">{t('warn.emergencyMark')}</span>
                    )}
                    <span>{w.event}</span>
                    <span className="warn-when">
                      {beijingShort(w.onset)} – {beijingShort(w.expires)}
                    </span>
                  </span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
