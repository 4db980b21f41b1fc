import type { Socket } from 'socket.io-client';
import { useI18n } from '../../i18n/index.js';
import { LEVEL_LABEL, STATE_LABEL, STATES } from '../../lib/levels.js';
import { formatTime, useNow } from '../../lib/time.js';
import { AckChart } from './ack-chart.js';
import { RecipientsGrid } from './recipients-grid.js';
import { useBoard } from './use-board.js';

/** The live board of one directive: progress, chart, recipients grid. */
export function BoardView({ socket, directiveId }: { socket: Socket | null; directiveId: string }) {
  const { t, lang } = useI18n();
  const now = useNow();
  const board = useBoard(socket, directiveId);
  const d = board.directive;
  const recipients = Object.values(board.recipients).sort((a, b) =>
    a.siteName.localeCompare(b.siteName, 'zh-CN'),
  );
  const total = recipients.length;
  const acked = recipients.filter((r) => r.state === 'acknowledged' || r.state === 'completed').length;
  if (board.error && !d)
    return (
      <p role="alert" className="error">
        {board.error}
      </p>
    );
  if (!d) return null;
  return (
    <section
      className="card board"
      aria-labelledby="board-title"
      data-testid="board"
      data-status={board.status ?? d.status}
    >
      <header>
        <span className={`badge level-${d.level}`}>{t(LEVEL_LABEL[d.level])}</span>
        {d.drill && <span className="badge drill">{t('drill')}</span>}
        <h2 id="board-title">{d.title}</h2>
        <span className="serial">{d.serial}</span>
        <span className="when">
          {t('issuedAt')} {formatTime(d.issuedAt, lang)} · {t('deadline')} {formatTime(d.ackBy, lang)}
        </span>
      </header>
      <p className="body">{d.body}</p>
      <div className="progress-row">
        <div>
          <label htmlFor="ack-progress">
            {t('progress')} {acked}/{total}
          </label>
          <progress id="ack-progress" max={Math.max(total, 1)} value={acked} data-testid="ack-progress" />
          <ul className="counts">
            {STATES.filter((s) => board.counts[s]).map((s) => (
              <li key={s} className={`st-${s}`} data-testid={`count-${s}`}>
                {t(STATE_LABEL[s])}: {board.counts[s]}
              </li>
            ))}
          </ul>
        </div>
        <AckChart issuedAt={d.issuedAt} recipients={recipients} now={now} />
      </div>
      <RecipientsGrid
        directiveId={d.id}
        ackBy={d.ackBy}
        recipients={recipients}
        now={now}
        live={(board.status ?? d.status) === 'issued'}
      />
    </section>
  );
}
