import { useCallback, useEffect, useMemo, useState } from 'react';
import type { DirectiveRecipientView, DirectiveView, SiteView } from '#contracts';
import { PrintHead } from '../../components/output-buttons.js';
import { useI18n } from '../../i18n/index.js';
import { api, errorText } from '../../lib/api.js';
import { isAcked, LEVEL_LABEL, STATE_LABEL, STATES } from '../../lib/levels.js';
import { formatTime, useNow } from '../../lib/time.js';
import { AckChart } from './ack-chart.js';
import { BoardMap, RecordOutput } from './board-record.js';
import { DirectiveControls } from './directive-controls.js';
import { RecipientsGrid } from './recipients-grid.js';
import type { LiveBoard } from './use-boards.js';

interface Props {
  directiveId: string;
  /** the live board from the page's subscriptions (use-boards.ts); undefined until the snapshot */
  board: LiveBoard | undefined;
  boardError: string | undefined;
  rank: ReadonlyMap<string, number>;
  noLeader: ReadonlySet<string>;
  /** after 续发 or 撤销: the page re-reads its list */
  onChanged: () => void;
  /** every site in scope: duty phones, region codes and coordinates */
  sites: SiteView[];
}

/** The live board of one directive: a sticky head (title, progress, 续发/撤销), chart, recipients. */
export function BoardView({ directiveId, board, boardError, rank, noLeader, onChanged, sites }: Props) {
  const { t, lang } = useI18n();
  const now = useNow();
  const [d, setD] = useState<DirectiveView | null>(null);
  const [error, setError] = useState<string | null>(null);
  // a directive never reopens: a closed status from either source wins (撤销 changes no
  // recipient, so the board sends nothing for it)
  const status = d && d.status !== 'issued' ? d.status : (board?.status ?? d?.status);

  const load = useCallback(() => {
    api
      .directive(directiveId)
      .then((v) => {
        setD(v);
        setError(null);
      })
      .catch((err: unknown) => setError(errorText(err)));
  }, [directiveId]);
  // the header's status follows the board; re-read when it changes (撤销, 办结)
  useEffect(load, [load, status]);

  const recipients = Object.values(board?.recipients ?? {});
  const siteById = useMemo(() => new Map(sites.map((s) => [s.id, s])), [sites]);
  const byRegion = (a: DirectiveRecipientView, b: DirectiveRecipientView) =>
    (rank.get(a.siteId) ?? Number.MAX_SAFE_INTEGER) - (rank.get(b.siteId) ?? Number.MAX_SAFE_INTEGER);
  const total = recipients.length;
  const acked = recipients.filter((r) => isAcked(r.state)).length;
  const due = d ? new Date(d.ackBy).getTime() : Infinity;
  const dueOf = (r: DirectiveRecipientView) => (r.ackDeadline ? Date.parse(r.ackDeadline) : due);
  const overdue = recipients.filter((r) => !isAcked(r.state) && (r.overdue || now > dueOf(r))).length;
  // a warning's update may move the validity while the board is open (`directive.expiry`)
  const expiresAt = board?.expiresAt !== undefined ? board.expiresAt : d?.expiresAt;
  const shownError = error ?? boardError;
  if (!d)
    return shownError ? (
      <p role="alert" className="error">
        {shownError}
      </p>
    ) : null;
  return (
    <section className="card board" aria-labelledby="board-title" data-testid="board" data-status={status}>
      <div className="board-head" data-testid="board-head">
        <header>
          <span className={`badge level-${d.level}`}>{t(LEVEL_LABEL[d.level])}</span>
          {d.drill && <span className="badge drill">{t('drill')}</span>}
          <h2 id="board-title">{d.title}</h2>
          <span className="serial">{d.serial}</span>
          {status !== 'issued' && (
            <span className="badge closed">
              {t(status === 'cancelled' ? 'board.cancelled' : 'board.closed')}
            </span>
          )}
          <span className="when">
            {t('issuedAt')} {formatTime(d.issuedAt, lang)} · {t('deadline')} {formatTime(d.ackBy, lang)}
            {expiresAt && (
              <span data-testid="board-valid-until">
                {' '}
                · {t('warn.validUntil')} {formatTime(expiresAt, lang)}
              </span>
            )}
          </span>
        </header>
        <div className="head-progress">
          <label htmlFor="ack-progress">
            {t('progress')} {acked}/{total}
            {overdue > 0 && (
              <strong className="overdue-count" data-testid="board-overdue">
                {' '}
                · {overdue} {t('board.overdueCount')}
              </strong>
            )}
          </label>
          <progress id="ack-progress" max={Math.max(total, 1)} value={acked} data-testid="ack-progress" />
          <DirectiveControls
            d={d}
            onChanged={() => {
              load();
              onChanged();
            }}
          />
          <RecordOutput
            d={d}
            recipients={recipients}
            sites={siteById}
            order={byRegion}
            onError={(err) => setError(errorText(err))}
          />
        </div>
      </div>
      <PrintHead title={`${t('out.recordTitle')} · ${d.serial} ${d.title}`} />
      <p className="body">{d.body}</p>
      <div className="progress-row">
        <ul className="counts">
          {STATES.filter((s) => board?.counts[s]).map((s) => (
            <li key={s} className={`st-${s}`} data-testid={`count-${s}`}>
              {t(STATE_LABEL[s])}: {board?.counts[s]}
            </li>
          ))}
        </ul>
        <AckChart issuedAt={d.issuedAt} recipients={recipients} now={now} />
      </div>
      <RecipientsGrid
        directiveId={d.id}
        ackBy={d.ackBy}
        recipients={recipients}
        rank={rank}
        noLeader={noLeader}
        now={now}
        live={status === 'issued'}
        dutyPhone={(id) => siteById.get(id)?.dutyPhone ?? null}
      />
      <BoardMap recipients={recipients} sites={sites} ackBy={d.ackBy} now={now} />
    </section>
  );
}
