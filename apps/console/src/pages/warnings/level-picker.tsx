import type { WarningLevelName } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { GRADE_KEY, LEVEL_KEY, WARNING_LEVEL_ORDER } from './warning-labels.js';

/**
 * The level as four big buttons in the level's colour, each naming its colour and grade
 * (红色预警 Ⅰ级): native radios, so arrow keys move between them and colour is never alone.
 */
export function LevelPicker({
  value,
  onChange,
}: {
  value: WarningLevelName;
  onChange: (level: WarningLevelName) => void;
}) {
  const { t } = useI18n();
  return (
    <fieldset className="warn-levels">
      <legend>{t('warn.level')}</legend>
      {WARNING_LEVEL_ORDER.map((l) => (
        <label key={l} className={`warn-level level-${l} ${value === l ? 'chosen' : ''}`}>
          <input
            type="radio"
            name="warning-level"
            value={l}
            checked={value === l}
            onChange={() => onChange(l)}
          />
          <span className="warn-level-name">{t(LEVEL_KEY[l])}</span>
          <span className="warn-level-grade">{t(GRADE_KEY[l])}</span>
        </label>
      ))}
    </fieldset>
  );
}
