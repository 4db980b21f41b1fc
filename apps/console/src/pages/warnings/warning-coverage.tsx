import { useCallback, useEffect, useRef, useState } from 'react';
import type { Socket } from 'socket.io-client';
import type { DirectiveBoardPayload, WarningCoverageView } from '#contracts';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { EV } from '../../lib/events.js';
import { channelRows, leadMinutes, percent, seconds } from './coverage-model.js';
import { warningApi } from './warning-api.js';
import { warningErrorText } from './warning-errors.js';

const CHANNEL_KEY = {
  console: 'warn.cov.console',
  terminal: 'warn.cov.terminal',
  radio: 'warn.cov.radio',
} as const;

/**
 * Coverage of a published warning, live: the directive that carries it is watched like a
 * board (`directive.board`, no polling) and each change re-reads the figures, at most
 * twice a second.
 */
function useCoverage(socket: Socket | null, warningId: string, directiveId: string | null) {
  const { t, lang } = useI18n();
  const [coverage, setCoverage] = useState<WarningCoverageView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const load = useCallback(() => {
    warningApi.coverage(warningId).then(
      (c) => {
        setCoverage(c);
        setError(null);
      },
      (err: unknown) => setError(warningErrorText(err, t, lang)),
    );
  }, [warningId, t, lang]);
  const soon = useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      load();
    }, 500);
  }, [load]);

  useEffect(() => {
    load();
    if (!socket || !directiveId) return;
    const subscribe = () => {
      if (socket.connected) socket.emit(EV.boardSubscribe, { directiveId }, () => soon());
    };
    const onBoard = (b: DirectiveBoardPayload) => b.directiveId === directiveId && soon();
    socket.on(EV.board, onBoard);
    socket.on('connect', subscribe);
    subscribe();
    return () => {
      socket.off(EV.board, onBoard);
      socket.off('connect', subscribe);
      if (socket.connected) socket.emit(EV.boardUnsubscribe, { directiveId });
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    };
  }, [socket, directiveId, load, soon]);
  return { coverage, error };
}

export function WarningCoverage({
  socket,
  warningId,
  directiveId,
}: {
  socket: Socket | null;
  warningId: string;
  directiveId: string | null;
}) {
  const { t } = useI18n();
  const { coverage: c, error } = useCoverage(socket, warningId, directiveId);
  const lead = c ? leadMinutes(c) : null;
  const fig = (label: MessageKey, value: string, testId: string) => (
    <div className="warn-fig">
      <dt>{t(label)}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
  return (
    <section className="warn-coverage" aria-labelledby="warn-cov-title" data-testid="warn-coverage">
      <h3 id="warn-cov-title">{t('warn.coverage')}</h3>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {c && (
        <>
          {c.leadTimeShort && (
            <p className="warn-lead-short" role="status" data-testid="warn-lead-short">
              {t('warn.cov.leadShort')}
            </p>
          )}
          <dl className="warn-figs">
            {fig('warn.cov.targets', String(c.targets), 'cov-targets')}
            {fig(
              'warn.cov.delivered',
              `${c.delivered} (${percent(c.delivered, c.targets)})`,
              'cov-delivered',
            )}
            {fig(
              'warn.cov.acknowledged',
              `${c.acknowledged} (${percent(c.acknowledged, c.targets)})`,
              'cov-acked',
            )}
            {fig('warn.cov.p50', `${seconds(c.deliveredWithinSeconds.p50)} ${t('warn.seconds')}`, 'cov-p50')}
            {fig('warn.cov.p95', `${seconds(c.deliveredWithinSeconds.p95)} ${t('warn.seconds')}`, 'cov-p95')}
            {fig(
              'warn.cov.lead',
              lead === null ? t('warn.cov.notPublished') : `${lead} ${t('warn.minutes')}`,
              'cov-lead',
            )}
          </dl>
          <table className="warn-channels">
            <caption>{t('warn.cov.byChannel')}</caption>
            <tbody>
              {channelRows(c).map((r) => (
                <tr key={r.channel} data-channel={r.channel}>
                  <th scope="row">{t(CHANNEL_KEY[r.channel])}</th>
                  <td>{r.n}</td>
                  <td>{r.share}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
