import type { ConsultationView } from '#contracts';
import type { SfuClient } from '#sfu-client';
import { useI18n } from '../../i18n/index.js';
import type { RoomState } from './use-room.js';

/**
 * Beside the tiles: who of the invited sites is not in the room, and the roll call (点名) as
 * it runs: answered and not answered, by site. The host starts and closes it; invited sites
 * answer from the banner above the tiles (the host's own site is never asked).
 */
export function RoomPanel(props: {
  client: SfuClient;
  state: RoomState;
  consultation: ConsultationView | null;
  /** null for a site outside the user's view (a duty room sees only its own subtree) */
  siteName: (id: string) => string | null;
  selfSiteId: string;
  act: (fn: () => Promise<unknown>) => void;
}) {
  const { client, state, consultation, siteName, act } = props;
  const { t } = useI18n();
  const present = new Set([props.selfSiteId, ...state.peers.map((p) => p.siteId)]);
  const absent = (consultation?.siteIds ?? []).filter((id) => !present.has(id));
  const other = (n: number, tail = '') =>
    n > 0 && (
      <li key="other">
        {t('consult.otherSites')} {n}
        {tail}
      </li>
    );
  const rc = state.rollCall;
  return (
    <div className="consult-panel">
      <section aria-labelledby="consult-absent">
        <h3 id="consult-absent">
          {t('consult.absent')} <span className="count">{absent.length}</span>
        </h3>
        {absent.length === 0 ? (
          <p className="muted">{t('consult.allPresent')}</p>
        ) : (
          <ul className="consult-sites" data-testid="absent-sites">
            {absent.flatMap((id) => {
              const name = siteName(id);
              return name ? [<li key={id}>{name}</li>] : [];
            })}
            {other(absent.filter((id) => !siteName(id)).length)}
          </ul>
        )}
      </section>
      <section aria-labelledby="consult-rollcall">
        <h3 id="consult-rollcall">{t('consult.rollCallResults')}</h3>
        {client.moderator && (!rc || rc.closed) && (
          <button type="button" onClick={() => act(() => client.startRollCall())}>
            {t('rollCall')}
          </button>
        )}
        {rc && (
          <div data-testid="rollcall-results" data-closed={rc.closed ? 'yes' : 'no'}>
            <p role="status">
              {rc.closed ? t('consult.rollCallClosed') : t('consult.rollCallOpen')} · {t('consult.answered')}{' '}
              {rc.answered.length}/{rc.siteIds.length}
            </p>
            <ul className="consult-sites">
              {rc.siteIds.flatMap((id) => {
                const ok = rc.answered.includes(id);
                const name = siteName(id);
                if (!name) return [];
                return [
                  <li key={id} className={ok ? 'ok' : 'missing'} data-answered={ok ? 'yes' : 'no'}>
                    <span aria-hidden="true">{ok ? '✓ ' : '✗ '}</span>
                    {name} · {ok ? t('consult.answered') : t('consult.notAnswered')}
                  </li>,
                ];
              })}
              {other(
                rc.siteIds.filter((id) => !siteName(id)).length,
                ` · ${t('consult.answered')} ${rc.answered.filter((id) => !siteName(id)).length}`,
              )}
            </ul>
            {client.moderator && !rc.closed && (
              <button type="button" onClick={() => act(() => client.closeRollCall(rc.id))}>
                {t('consult.rollCallClose')}
              </button>
            )}
          </div>
        )}
      </section>
    </div>
  );
}
