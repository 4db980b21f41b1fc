import { useEffect, useState } from 'react';
import type { SpotCheckChannel, SpotCheckScheduleRequest, SpotCheckScheduleView } from '#contracts';
import { useSpotText, type SpotCheckKey } from '../../i18n/spot-checks.js';
import { errorText } from '../../lib/api.js';
import { formatShort } from '../../lib/time.js';
import { spotCheckApi } from './spot-check-api.js';

const CHANNELS: Record<SpotCheckChannel, SpotCheckKey> = {
  console: 'channelConsole',
  terminal: 'channelTerminal',
  video: 'channelVideo',
};
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
/** "9:30" as "09:30": what a person types, as the contract wants it */
const normalTime = (t: string) => (/^\d:\d\d$/.test(t) ? `0${t}` : t);

/**
 * 定时查岗: the schedules in the caller's scope, a form for a new one (fixed times or random
 * times inside a daily window, Beijing time), and 停用 for each. The server checks it all
 * again; the form only spares a round trip for what is plainly wrong.
 */
export function SpotCheckSchedulesPanel() {
  const s = useSpotText();
  const [list, setList] = useState<SpotCheckScheduleView[]>([]);
  const [kind, setKind] = useState<'times' | 'random'>('times');
  const [times, setTimes] = useState('09:30');
  const [randomCount, setRandomCount] = useState(2);
  const [from, setFrom] = useState('08:00');
  const [to, setTo] = useState('22:00');
  const [sample, setSample] = useState(3);
  const [windowSeconds, setWindowSeconds] = useState(300);
  const [channels, setChannels] = useState<SpotCheckChannel[]>(['console', 'terminal']);
  const [drill, setDrill] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = () => spotCheckApi.schedules().then(setList, (err: unknown) => setError(errorText(err)));
  useEffect(() => void load(), []);

  const describe = (x: SpotCheckScheduleView) =>
    [
      x.times.length ? s('fixedDesc').replace('{times}', x.times.join(s('listSep'))) : null,
      x.randomPerDay
        ? s('randomDesc')
            .replace('{count}', String(x.randomPerDay.count))
            .replace('{from}', x.randomPerDay.between[0])
            .replace('{to}', x.randomPerDay.between[1])
        : null,
    ]
      .filter(Boolean)
      .join('；');

  const request = (): SpotCheckScheduleRequest | string => {
    if (!channels.length) return s('noChannel');
    const base = { sample: { count: sample }, windowSeconds, channels, ...(drill ? { drill } : {}) };
    if (kind === 'random') {
      // a 24-hour text field, not <input type="time">: that one shows AM/PM by the browser's locale
      const [a, b] = [normalTime(from.trim()), normalTime(to.trim())];
      if (!HHMM.test(a) || !HHMM.test(b)) return s('badTimes');
      if (a >= b) return s('badBetween');
      return { ...base, randomPerDay: { count: randomCount, between: [a, b] } };
    }
    const parsed = times
      .split(/[,，、\s]+/)
      .filter(Boolean)
      .map(normalTime);
    if (!parsed.length || parsed.some((t) => !HHMM.test(t))) return s('badTimes');
    return { ...base, times: [...new Set(parsed)] };
  };

  const create = async () => {
    setError(null);
    setNotice(null);
    const req = request();
    if (typeof req === 'string') return setError(req);
    try {
      await spotCheckApi.createSchedule(req);
      setNotice(s('scheduleCreated'));
      await load();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const disable = async (id: string) => {
    setError(null);
    setNotice(null);
    try {
      await spotCheckApi.disableSchedule(id);
      setNotice(s('scheduleDisabled'));
    } catch (err) {
      setError(errorText(err));
    }
    await load();
  };
  const toggle = (c: SpotCheckChannel) =>
    setChannels((l) => (l.includes(c) ? l.filter((x) => x !== c) : [...l, c]));
  const number = (set: (n: number) => void) => (e: { target: { value: string } }) =>
    set(Number(e.target.value));

  return (
    <div className="spotcheck-schedules" data-testid="spotcheck-schedules">
      <h3>{s('schedulesTitle')}</h3>
      <form
        className="spotcheck-form"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <fieldset>
          <legend>{s('scheduleKind')}</legend>
          {(['times', 'random'] as const).map((k) => (
            <label key={k}>
              <input type="radio" name="schedule-kind" checked={kind === k} onChange={() => setKind(k)} />
              {s(k === 'times' ? 'kindTimes' : 'kindRandom')}
            </label>
          ))}
        </fieldset>
        {kind === 'times' ? (
          <label>
            {s('timesField')}
            <input value={times} onChange={(e) => setTimes(e.target.value)} />
          </label>
        ) : (
          <>
            <label>
              {s('randomCount')}
              <input type="number" min={1} max={24} value={randomCount} onChange={number(setRandomCount)} />
            </label>
            <label>
              {s('randomFrom')}
              <input
                inputMode="numeric"
                placeholder="08:00"
                value={from}
                onChange={(e) => setFrom(e.target.value)}
              />
            </label>
            <label>
              {s('randomTo')}
              <input
                inputMode="numeric"
                placeholder="22:00"
                value={to}
                onChange={(e) => setTo(e.target.value)}
              />
            </label>
          </>
        )}
        <label>
          {s('sampleCount')}
          <input type="number" min={1} value={sample} onChange={number(setSample)} />
        </label>
        <label>
          {s('windowSeconds')}
          <input
            type="number"
            min={10}
            max={3600}
            value={windowSeconds}
            onChange={number(setWindowSeconds)}
          />
        </label>
        <fieldset>
          <legend>{s('channels')}</legend>
          {(['console', 'terminal', 'video'] as const).map((c) => (
            <label key={c}>
              <input type="checkbox" checked={channels.includes(c)} onChange={() => toggle(c)} />
              {s(CHANNELS[c])}
            </label>
          ))}
        </fieldset>
        <label>
          <input type="checkbox" checked={drill} onChange={(e) => setDrill(e.target.checked)} />
          {s('drill')}
        </label>
        <button type="submit">{s('createSchedule')}</button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {notice && <p role="status">{notice}</p>}
      {list.length === 0 ? (
        <p>{s('noSchedules')}</p>
      ) : (
        <table className="spotcheck-schedule-table">
          <thead>
            <tr>
              <th>{s('when')}</th>
              <th>{s('sampleCount')}</th>
              <th>{s('windowSeconds')}</th>
              <th>{s('channel')}</th>
              <th>{s('drill')}</th>
              <th>{s('createdAt')}</th>
              <th>{s('actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((x) => (
              <tr key={x.id} data-schedule-id={x.id}>
                <td>{describe(x)}</td>
                <td data-label={s('sampleCount')}>{x.sample.count}</td>
                <td data-label={s('windowSeconds')}>
                  {x.windowSeconds} {s('seconds')}
                </td>
                <td data-label={s('channel')}>{x.channels.map((c) => s(CHANNELS[c])).join(s('listSep'))}</td>
                <td data-label={s('drill')}>
                  {x.drill ? <span className="drill-badge">{s('yes')}</span> : s('no')}
                </td>
                <td data-label={s('createdAt')}>{formatShort(x.createdAt)}</td>
                <td>
                  <button
                    type="button"
                    aria-label={`${s('disable')} ${describe(x)}`}
                    onClick={() => void disable(x.id)}
                  >
                    {s('disable')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
