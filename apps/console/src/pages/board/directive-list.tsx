import type { DirectiveSummaryView, RecipientState } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { isAcked, LEVEL_LABEL } from '../../lib/levels.js';
import { formatTime } from '../../lib/time.js';
import type { LiveBoard } from './use-boards.js';

const WAITING: RecipientState[] = ['pending', 'delivered', 'failed'];

export interface ListProgress {
  acked: number;
  total: number;
  overdue: number;
}

/** 3/5 签收 and how many are past the deadline: from the live board when watched, else the list's counts. */
export function progressOf(d: DirectiveSummaryView, board: LiveBoard | undefined, now: number): ListProgress {
  const pastDue = d.status === 'issued' && now > new Date(d.ackBy).getTime();
  if (board && d.status === 'issued') {
    const rs = Object.values(board.recipients);
    return {
      acked: rs.filter((r) => isAcked(r.state)).length,
      total: rs.length,
      overdue:
        board.status === 'issued' ? rs.filter((r) => !isAcked(r.state) && (r.overdue || pastDue)).length : 0,
    };
  }
  const n = (s: RecipientState) => d.counts[s] ?? 0;
  const total = Object.values(d.counts).reduce((a, b) => a + (b ?? 0), 0);
  return {
    acked: n('acknowledged') + n('completed'),
    total,
    overdue: pastDue ? WAITING.reduce((a, s) => a + n(s), 0) : 0,
  };
}

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
