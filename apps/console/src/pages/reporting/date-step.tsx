import { useEffect, useState } from 'react';
import { useRep } from '../../i18n/reporting.js';
import { step } from './reporting-model.js';

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * A day or month typed as 2026-12-07 / 2026-12, with 前一天/后一天 (上月/下月): the browser's
 * own date pickers follow its UI language and show "12/07/2026" in an English build.
 */
export function DateStep({
  kind,
  label,
  value,
  onChange,
}: {
  kind: 'day' | 'month';
  label: string;
  value: string;
  onChange: (v: string) => void;
}) {
  const { r } = useRep();
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const re = kind === 'day' ? DAY : MONTH;
  return (
    <span className="rep-date-step">
      <button type="button" onClick={() => onChange(step(value, -1))}>
        {r(kind === 'day' ? 'prevDay' : 'prevMonth')}
      </button>
      <label>
        {label}{' '}
        <input
          inputMode="numeric"
          size={kind === 'day' ? 10 : 7}
          pattern={kind === 'day' ? '\\d{4}-\\d{2}-\\d{2}' : '\\d{4}-\\d{2}'}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            if (re.test(e.target.value)) onChange(e.target.value);
          }}
        />
      </label>
      <button type="button" onClick={() => onChange(step(value, 1))}>
        {r(kind === 'day' ? 'nextDay' : 'nextMonth')}
      </button>
    </span>
  );
}
