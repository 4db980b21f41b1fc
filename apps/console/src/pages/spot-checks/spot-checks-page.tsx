import { useEffect, useState } from 'react';
import type { Socket } from 'socket.io-client';
import {
  SPOT_CHECK_EVENTS,
  type SiteView,
  type SpotCheckChannel,
  type SpotCheckEscalationPayload,
  type SpotCheckTargetUpdate,
  type SpotCheckView,
} from '#contracts';
import { useSpotText, type SpotCheckKey } from '../../i18n/spot-checks.js';
import { errorText } from '../../lib/api.js';
import { formatSpan, formatTime, useNow } from '../../lib/time.js';
import { spotCheckApi } from './spot-check-api.js';
import { SpotCheckSchedulesPanel } from './spot-check-schedules.js';
import '../../styles/spot-checks.css';

const STATE_KEY: Record<string, SpotCheckKey> = {
  pending: 'statePending',
  answered: 'stateAnswered',
  late: 'stateLate',
  missed: 'stateMissed',
};
const CHANNEL_KEY: Record<SpotCheckChannel, SpotCheckKey> = {
  console: 'channelConsole',
  terminal: 'channelTerminal',
  video: 'channelVideo',
};

/**
 * The county's 查岗 board: start a check (random townships or chosen ones), then watch
 * each target answer live (`spotcheck.targets` after `spotcheck.board.subscribe`); a
 * second tab holds the schedules (定时查岗). The live check stays subscribed across tabs.
 */
export function SpotChecksPage({ socket }: { socket: Socket | null }) {
  const s = useSpotText();
  const now = useNow(1000);
  const [sites, setSites] = useState<SiteView[]>([]);
  const [chosen, setChosen] = useState<string[]>([]);
  const [count, setCount] = useState(3);
  const [windowSeconds, setWindowSeconds] = useState(300);
  const [channels, setChannels] = useState<SpotCheckChannel[]>(['console', 'terminal']);
  const [drill, setDrill] = useState(false);
  const [check, setCheck] = useState<SpotCheckView | null>(null);
  const [escalations, setEscalations] = useState<SpotCheckEscalationPayload[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState<'now' | 'schedules'>('now');

  useEffect(() => {
    spotCheckApi.sites().then(
      (all) => setSites(all.filter((x) => x.kind === 'township')),
      (err: unknown) => setError(errorText(err)),
    );
  }, []);

  useEffect(() => {
    if (!socket || !check) return;
    const id = check.id;
    const onTargets = (p: { checkId: string; targets: SpotCheckTargetUpdate[] }) => {
      if (p.checkId !== id) return;
      setCheck(
        (c) =>
          c && {
            ...c,
            targets: c.targets.map((t) => {
              const u = p.targets.find((x) => x.siteId === t.siteId);
              return u ? { ...t, ...u } : t;
            }),
          },
      );
    };
    const onEscalation = (p: SpotCheckEscalationPayload) => setEscalations((list) => [...list, p]);
    socket.on(SPOT_CHECK_EVENTS.targets, onTargets);
    socket.on(SPOT_CHECK_EVENTS.escalation, onEscalation);
    // subscribe, and take the snapshot that comes with it (anything before it is in it)
    void socket
      .timeout(10_000)
      .emitWithAck(SPOT_CHECK_EVENTS.boardSubscribe, { checkId: id })
      .then((r: { ok: boolean; check?: SpotCheckView }) => r.ok && r.check && setCheck(r.check))
      .catch(() => undefined);
    return () => {
      socket.off(SPOT_CHECK_EVENTS.targets, onTargets);
      socket.off(SPOT_CHECK_EVENTS.escalation, onEscalation);
      socket.emit(SPOT_CHECK_EVENTS.boardUnsubscribe, { checkId: id });
    };
  }, [socket, check?.id]);

  const start = async () => {
    setError(null);
    try {
      const started = await spotCheckApi.start({
        ...(chosen.length ? { siteIds: chosen } : { sample: { count } }),
        windowSeconds,
        channels,
        drill,
      });
      setEscalations([]);
      setCheck(await spotCheckApi.get(started.id));
    } catch (err) {
      setError(errorText(err));
    }
  };
  const toggleChannel = (c: SpotCheckChannel) =>
    setChannels((list) => (list.includes(c) ? list.filter((x) => x !== c) : [...list, c]));

  const nowPanel = (
    <>
      <form
        className="spotcheck-form"
        onSubmit={(e) => {
          e.preventDefault();
          void start();
        }}
      >
        <label>
          {s('sampleAll')}
          <input
            type="number"
            min={1}
            max={sites.length || 1}
            value={count}
            onChange={(e) => setCount(Number(e.target.value))}
            disabled={chosen.length > 0}
          />
        </label>
        <label>
          {s('chosen')}
          <select
            multiple
            value={chosen}
            onChange={(e) => setChosen([...e.target.selectedOptions].map((o) => o.value))}
          >
            {sites.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {s('windowSeconds')}
          <input
            type="number"
            min={10}
            max={3600}
            value={windowSeconds}
            onChange={(e) => setWindowSeconds(Number(e.target.value))}
          />
        </label>
        <fieldset>
          <legend>{s('channels')}</legend>
          {(['console', 'terminal', 'video'] as const).map((c) => (
            <label key={c}>
              <input type="checkbox" checked={channels.includes(c)} onChange={() => toggleChannel(c)} />
              {s(CHANNEL_KEY[c])}
            </label>
          ))}
        </fieldset>
        <label>
          <input type="checkbox" checked={drill} onChange={(e) => setDrill(e.target.checked)} />
          {s('drill')}
        </label>
        <button type="submit">{s('start')}</button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {check && (
        <div className="spotcheck-live" data-testid="spotcheck-board" data-check-id={check.id}>
          <p>
            {check.drill && <span className="drill-badge">{s('drill')}</span>} {s('deadline')}{' '}
            {formatTime(check.deadline)} · {s('remaining')}{' '}
            {formatSpan(Math.max(0, Date.parse(check.deadline) - now))}
          </p>
          {escalations.map((e) => (
            <p key={e.siteId} role="alert" className="error">
              {e.siteName}：{s('escalated')}
            </p>
          ))}
          <table>
            <thead>
              <tr>
                <th>{s('site')}</th>
                <th>{s('state')}</th>
                <th>{s('answeredAt')}</th>
                <th>{s('latency')}</th>
                <th>{s('channel')}</th>
                <th>{s('onRoster')}</th>
              </tr>
            </thead>
            <tbody>
              {check.targets.map((t) => (
                <tr key={t.siteId} data-state={t.state}>
                  <td>{t.siteName}</td>
                  <td className={`spotcheck-state-${t.state}`}>{s(STATE_KEY[t.state]!)}</td>
                  <td>{formatTime(t.answeredAt)}</td>
                  <td>{t.latencyMs === null ? '—' : `${(t.latencyMs / 1000).toFixed(1)} ${s('seconds')}`}</td>
                  <td>{t.channel ? s(CHANNEL_KEY[t.channel]) : '—'}</td>
                  <td>{t.onRoster === null ? s('unknown') : t.onRoster ? s('yes') : s('no')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );

  return (
    <section className="spotchecks">
      <h2>{s('boardTitle')}</h2>
      <div role="tablist" aria-label={s('boardTitle')} className="spotcheck-tabs">
        {(['now', 'schedules'] as const).map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            id={`spotcheck-tab-${k}`}
            aria-selected={tab === k}
            onClick={() => setTab(k)}
          >
            {s(k === 'now' ? 'tabNow' : 'tabSchedules')}
          </button>
        ))}
      </div>
      <div role="tabpanel" aria-labelledby={`spotcheck-tab-${tab}`}>
        {tab === 'schedules' ? <SpotCheckSchedulesPanel /> : nowPanel}
      </div>
    </section>
  );
}
