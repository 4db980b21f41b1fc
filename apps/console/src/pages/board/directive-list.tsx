import type { DirectiveSummaryView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { LEVEL_LABEL } from '../../lib/levels.js';
import { formatTime } from '../../lib/time.js';
import { progressOf } from './list-progress.js';
import type { LiveBoard } from './use-boards.js';

interface Props {
  list: DirectiveSummaryView[];
  boards: Record<string, LiveBoard>;
  selected: string | null;
  onSelect: (id: string) => void;
  now: number;
}

/** Recent directives, those with overdue sites first, each with its progress, live. */
export function DirectiveList({ list, boards, selected, onSelect, now }: Props) {
  const { t, lang } = useI18n();
  const rows = list
    .map((d) => ({
      d,
      p: progressOf(d, boards[d.id], now),
      // the list's own status wins once closed: 撤销 sends no board change
      status: d.status !== 'issued' ? d.status : (boards[d.id]?.status ?? d.status),
    }))
    .sort(
      (a, b) =>
        Number(b.p.overdue > 0) - Number(a.p.overdue > 0) ||
        Number(b.status === 'issued') - Number(a.status === 'issued') ||
        (a.d.issuedAt < b.d.issuedAt ? 1 : a.d.issuedAt > b.d.issuedAt ? -1 : 0),
    );
  return (
    <ul className="dir-list board-list">
      {rows.map(({ d, p, status }) => (
        <li key={d.id} className={p.overdue > 0 ? 'has-overdue' : status !== 'issued' ? 'is-closed' : ''}>
          <button
            type="button"
            aria-pressed={selected === d.id}
            onClick={() => onSelect(d.id)}
            data-testid="directive-link"
            data-directive-id={d.id}
            data-overdue={p.overdue}
          >
            <span className="dl-top">
              <span className={`badge level-${d.level}`}>{t(LEVEL_LABEL[d.level])}</span>
              <span className="dl-title">{d.title}</span>
            </span>
            <span className="dl-progress" data-testid="list-progress">
              <span data-testid="list-acked">
                {p.acked}/{p.total}
              </span>
              {p.overdue > 0 && (
                <span className="dl-overdue" data-testid="list-overdue">
                  {p.overdue} {t('board.overdueCount')}
                </span>
              )}
              {status !== 'issued' && (
                <span className="dl-closed">
                  {t(status === 'cancelled' ? 'board.cancelled' : 'board.closed')}
                </span>
              )}
            </span>
            <small>
              {d.serial} · {formatTime(d.issuedAt, lang)}
            </small>
          </button>
        </li>
      ))}
    </ul>
  );
}
