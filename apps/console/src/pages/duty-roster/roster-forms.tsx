import { useState, type FormEvent } from 'react';
import type { UserView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { addDays, dutyApi, shanghaiIso } from '../../lib/duty-api.js';
import { dutyErrorText } from './use-duty-site.js';

const HHMM = '([01]\\d|2[0-3]):[0-5]\\d';

/** Writes to the roster: one shift, or a day/night rotation over several days. */
export function RosterForms(props: {
  siteId: string;
  week: string;
  users: UserView[];
  onSaved: () => void;
  onError: (msg: string | null) => void;
}) {
  const { t } = useI18n();
  const [status, setStatus] = useState<string | null>(null);
  const done = (msg: string) => {
    props.onError(null);
    setStatus(msg);
    props.onSaved();
  };
  const fail = (err: unknown) => {
    setStatus(null);
    props.onError(dutyErrorText(err, t));
  };

  const addShift = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const day = String(f.get('day'));
    const start = String(f.get('start'));
    const end = String(f.get('end'));
    // an end not after the start is the next morning, as on the paper roster
    const endDay = end <= start ? addDays(day, 1) : day;
    dutyApi
      .createShift({
        siteId: props.siteId,
        userId: String(f.get('userId')),
        role: f.get('role') === 'leader' ? 'leader' : 'officer',
        startsAt: shanghaiIso(day, start),
        endsAt: shanghaiIso(endDay, end),
      })
      .then(() => done(t('duty.saved')))
      .catch(fail);
  };

  const rotate = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const slot = (prefix: string, start: string, end: string) => {
      const leader = String(f.get(`${prefix}Leader`) ?? '');
      const officers = f.getAll(`${prefix}Officers`).map(String).filter(Boolean);
      return { start, end, ...(leader && { leader }), officers };
    };
    const slots = [slot('day', '08:00', '20:00'), slot('night', '20:00', '08:00')].filter(
      (s) => s.leader || s.officers.length > 0,
    );
    dutyApi
      .rotation({ siteId: props.siteId, from: String(f.get('from')), days: Number(f.get('days')), slots })
      .then((made) => done(`${t('duty.generated')}: ${made.length}`))
      .catch(fail);
  };

  const people = (name: string, multiple = false) => (
    <select name={name} multiple={multiple} defaultValue={multiple ? [] : ''}>
      {!multiple && <option value="">{t('duty.none')}</option>}
      {props.users.map((u) => (
        <option key={u.id} value={u.id}>
          {u.displayName ?? u.username}
        </option>
      ))}
    </select>
  );

  return (
    <div className="roster-forms">
      <form className="card" onSubmit={addShift} data-testid="shift-form">
        <h3>{t('duty.addShift')}</h3>
        <label>
          {t('duty.person')}
          {people('userId')}
        </label>
        <label>
          {t('duty.role')}
          <select name="role" defaultValue="officer">
            <option value="officer">{t('duty.officer')}</option>
            <option value="leader">{t('duty.leader')}</option>
          </select>
        </label>
        <label>
          {t('duty.day')}
          <input name="day" type="date" required defaultValue={props.week} />
        </label>
        <label>
          {t('duty.start')}
          <input name="start" required pattern={HHMM} defaultValue="08:00" inputMode="numeric" />
        </label>
        <label>
          {t('duty.end')}
          <input name="end" required pattern={HHMM} defaultValue="20:00" inputMode="numeric" />
        </label>
        <p className="key-hint">{t('duty.endNextDay')}</p>
        <button type="submit" className="primary">
          {t('duty.save')}
        </button>
      </form>
      <form className="card" onSubmit={rotate} data-testid="rotation-form">
        <h3>{t('duty.rotation')}</h3>
        <fieldset>
          <legend>{t('duty.daySlot')} 08:00–20:00</legend>
          <label>
            {t('duty.leader')}
            {people('dayLeader')}
          </label>
          <label>
            {t('duty.officers')}
            {people('dayOfficers', true)}
          </label>
        </fieldset>
        <fieldset>
          <legend>{t('duty.nightSlot')} 20:00–08:00</legend>
          <label>
            {t('duty.leader')}
            {people('nightLeader')}
          </label>
          <label>
            {t('duty.officers')}
            {people('nightOfficers', true)}
          </label>
        </fieldset>
        <label>
          {t('duty.day')}
          <input name="from" type="date" required defaultValue={props.week} />
        </label>
        <label>
          {t('duty.days')}
          <input name="days" type="number" min={1} max={31} defaultValue={7} required />
        </label>
        <button type="submit" className="primary">
          {t('duty.generate')}
        </button>
      </form>
      {status && (
        <p className="ok" role="status">
          {status}
        </p>
      )}
    </div>
  );
}
