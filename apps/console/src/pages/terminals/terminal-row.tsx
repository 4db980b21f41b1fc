import { useState } from 'react';
import type { TerminalCredentials, TerminalView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { api, errorText } from '../../lib/api.js';
import { formatAgo, formatShort } from '../../lib/time.js';
import { FLAG_LABEL, flagsOf, linkLabel } from './terminal-order.js';

interface Props {
  tm: TerminalView;
  siteName: string;
  manage: boolean;
  now: number;
  onSecret: (cred: TerminalCredentials) => void;
  onChanged: () => void;
  onMessage: (text: string, error: boolean) => void;
}

/** One terminal: what needs attention first, then presence, power, link and last seen, and the manager's actions. */
export function TerminalRow({ tm, siteName, manage, now, onSecret, onChanged, onMessage }: Props) {
  const { t, lang } = useI18n();
  const [confirmRevoke, setConfirmRevoke] = useState(false);
  const flags = flagsOf(tm);
  const fail = (err: unknown) => onMessage(errorText(err), true);
  const battery = tm.telemetry?.battery;
  return (
    <tr
      data-testid="terminal-row"
      className={flags.length && !tm.revoked ? 'term-attention' : tm.revoked ? 'term-revoked' : undefined}
    >
      <th scope="row">
        <span className="term-name">{tm.name}</span>
        {flags.map((f) => (
          <span key={f} className={`term-flag flag-${f}`} data-testid="terminal-flag">
            {t(FLAG_LABEL[f])}
          </span>
        ))}
        <small className="mono term-id">{tm.id}</small>
      </th>
      <td className="nowrap">{siteName}</td>
      <td className="nowrap">
        {t(tm.kind === 'push' ? 'kindPush' : 'kindRadio')}
        {tm.talkgroup && ` · ${tm.talkgroup}`}
      </td>
      <td className="nowrap">
        <span className={`presence term-${tm.presence}`}>{t(tm.presence)}</span>
      </td>
      <td className="nowrap">
        {tm.telemetry?.power ? t(tm.telemetry.power) : '—'}
        {battery !== undefined && (
          <span className={flags.includes('lowBattery') ? 'battery-low' : undefined}> {battery}%</span>
        )}
      </td>
      <td className="nowrap">{linkLabel(tm.telemetry?.link, t)}</td>
      <td className="nowrap" data-testid="terminal-last-seen">
        {/* a connected terminal is seen now; its lastSeenAt is only when it last connected */}
        {tm.presence === 'online' ? (
          t('record.term.onlineNow')
        ) : tm.lastSeenAt ? (
          <>
            {formatShort(tm.lastSeenAt)} <small>({formatAgo(tm.lastSeenAt, now, lang)})</small>
          </>
        ) : (
          '—'
        )}
      </td>
      {manage && (
        <td>
          {!tm.revoked && (
            <div className="actions">
              <button
                type="button"
                aria-label={`${t('record.term.testCall')} ${tm.name}`}
                onClick={() =>
                  void api
                    .testCall([tm.siteId], t('record.term.testCallTitle'))
                    .then((r) => onMessage(`${t('record.term.testCallSent')}${r.terminals}`, false))
                    .catch(fail)
                }
              >
                {t('record.term.testCall')}
              </button>
              <button
                type="button"
                aria-label={`${t('rotate')} ${tm.name}`}
                onClick={() => void api.rotate(tm.id).then(onSecret).catch(fail)}
              >
                {t('rotate')}
              </button>
              {confirmRevoke ? (
                <button
                  type="button"
                  className="danger"
                  aria-label={`${t('record.term.confirmRevoke')} ${tm.name}`}
                  onClick={() =>
                    void api
                      .revoke(tm.id)
                      .then(() => {
                        setConfirmRevoke(false);
                        onChanged();
                      })
                      .catch(fail)
                  }
                >
                  {t('record.term.confirmRevoke')}
                </button>
              ) : (
                <button
                  type="button"
                  aria-label={`${t('record.term.revoke')} ${tm.name}`}
                  onClick={() => setConfirmRevoke(true)}
                >
                  {t('record.term.revoke')}
                </button>
              )}
            </div>
          )}
        </td>
      )}
    </tr>
  );
}
