import { useState } from 'react';
import type { Socket } from 'socket.io-client';
import type { UserView, WarningView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { beijingShort } from './beijing-time.js';
import { WarningActions } from './warning-actions.js';
import { capPath, downloadXml } from './warning-api.js';
import { WarningCoverage } from './warning-coverage.js';
import { warningErrorText } from './warning-errors.js';
import { GRADE_KEY, LEVEL_KEY, MSG_KEY, STATE_KEY, STATUS_KEY, STEP_KEY } from './warning-labels.js';
import { effectiveState } from './warning-rules.js';

interface Props {
  user: UserView;
  socket: Socket | null;
  warning: WarningView;
  now: number;
  onChanged: (message: string, showId?: string) => void;
  onUpdate: () => void;
  onOpen: (id: string) => void;
}

/** One warning: what it says, where it stands, who did what, its CAP, and its coverage once out. */
export function WarningDetail({ user, socket, warning: w, now, onChanged, onUpdate, onOpen }: Props) {
  const { t, lang } = useI18n();
  const [capError, setCapError] = useState<string | null>(null);
  const state = effectiveState(w.state, w.expires, now);
  const marker = MSG_KEY[w.msgType];
  return (
    <article
      className={`card warn-detail level-${w.level}`}
      aria-labelledby="warn-detail-title"
      data-testid="warn-detail"
      data-warning-id={w.id}
      data-state={state}
    >
      <header className="warn-detail-head">
        <p className={`warn-level-banner level-${w.level}`}>
          {t(LEVEL_KEY[w.level])} <span className="warn-level-grade">{t(GRADE_KEY[w.level])}</span>
        </p>
        <h2 id="warn-detail-title">
          {marker && (
            <span className={`badge warn-msg msg-${w.msgType}`} data-testid="warn-marker">
              {t(marker)}
            </span>
          )}
          {w.headline}
        </h2>
        <p className="warn-row-meta">
          <span className={`badge warn-state state-${state}`} data-testid="warn-detail-state">
            {t(STATE_KEY[state])}
          </span>
          {w.status !== 'Actual' && <span className="badge drill">{t(STATUS_KEY[w.status])}</span>}
          {w.emergency && <span className="badge warn-emergency-mark">{t('warn.emergencyMark')}</span>}
          <span>{w.event}</span>
        </p>
      </header>
      <WarningActions user={user} warning={w} now={now} onChanged={onChanged} onUpdate={onUpdate} />
      {w.rejectReason && state === 'draft' && (
        <p className="warn-reason" data-testid="warn-reject-reason">
          {t('warn.rejectedWith')}：{w.rejectReason}
        </p>
      )}
      {w.cancelReason && (
        <p className="warn-reason">
          {t('warn.cancelledWith')}：{w.cancelReason}
        </p>
      )}
      <p className="warn-text">{w.description}</p>
      <h3>{t('warn.instruction')}</h3>
      <p className="warn-text">{w.instruction}</p>
      {w.en && (
        <div lang="en" className="warn-en-text">
          <p>
            <strong>{w.en.headline}</strong>
          </p>
          <p className="warn-text">{w.en.description}</p>
          {w.en.instruction && <p className="warn-text">{w.en.instruction}</p>}
        </div>
      )}
      <dl className="warn-meta">
        <dt>{t('warn.validity')}</dt>
        <dd>
          {beijingShort(w.onset)} – {beijingShort(w.expires)}
        </dd>
        <dt>{t('warn.areas')}</dt>
        <dd className="warn-codes">{w.areas.regionCodes.join('、')}</dd>
        <dt>{t('warn.identifier')}</dt>
        <dd className="warn-id" data-testid="warn-identifier">
          {w.identifier}
        </dd>
        <dt>{t('warn.sender')}</dt>
        <dd className="warn-id">{w.sender}</dd>
        {w.publishedAt && (
          <>
            <dt>{t('warn.publishedAt')}</dt>
            <dd>{beijingShort(w.publishedAt)}</dd>
          </>
        )}
        {w.previousId && (
          <>
            <dt>{t('warn.previous')}</dt>
            <dd>
              <button type="button" className="link" onClick={() => onOpen(w.previousId!)}>
                {w.references.at(-1)?.identifier ?? w.previousId}
              </button>
            </dd>
          </>
        )}
        {w.supersededById && (
          <>
            <dt>{t('warn.supersededBy')}</dt>
            <dd>
              <button type="button" className="link" onClick={() => onOpen(w.supersededById!)}>
                {t('warn.state.superseded')}
              </button>
            </dd>
          </>
        )}
      </dl>
      <p className="warn-links">
        <button
          type="button"
          data-testid="warn-cap"
          onClick={() => {
            setCapError(null);
            downloadXml(capPath(w.id), `${w.identifier}.xml`).catch((err: unknown) =>
              setCapError(warningErrorText(err, t, lang)),
            );
          }}
        >
          {t('warn.cap')}
        </button>
        {capError && (
          <span role="alert" className="error">
            {capError}
          </span>
        )}
      </p>
      {w.publishedAt && <WarningCoverage socket={socket} warningId={w.id} directiveId={w.directiveId} />}
      <h3>{t('warn.history')}</h3>
      <ol className="warn-history" data-testid="warn-history">
        {w.history.map((h, i) => (
          <li key={`${h.step}-${i}`}>
            <span className="warn-when">{beijingShort(h.at)}</span> {t(STEP_KEY[h.step])} ·{' '}
            {h.actorName ?? (h.actorId ? '—' : t('warn.system'))}
            {h.reason && <span className="muted">（{h.reason}）</span>}
          </li>
        ))}
      </ol>
    </article>
  );
}
