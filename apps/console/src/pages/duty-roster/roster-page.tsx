import { useCallback, useEffect, useMemo, useState } from 'react';
import type { DutyGapView, DutyNowView, DutyShiftView, UserView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { api } from '../../lib/api.js';
import {
  addDays,
  dutyApi,
  shanghaiClock,
  shanghaiDay,
  shanghaiIso,
  shanghaiShort,
  weekStart,
} from '../../lib/duty-api.js';
import '../../styles/duty-roster.css';
import { RosterForms } from './roster-forms.js';
import { dutyErrorText, eligibleUsers, SitePicker, useDutySite } from './use-duty-site.js';

/** 值班表: a week of shifts per day, who is on duty now, and the gaps in cover flagged. */
export function RosterPage({ user }: { user: UserView }) {
  const { t } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const { sites, siteId, setSiteId } = useDutySite(user, setError);
  const [week, setWeek] = useState(() => weekStart(Date.now()));
  const [shifts, setShifts] = useState<DutyShiftView[]>([]);
  const [gaps, setGaps] = useState<DutyGapView[]>([]);
  const [now, setNow] = useState<DutyNowView | null>(null);
  const [users, setUsers] = useState<UserView[]>([]);
  const canWrite = user.role !== 'duty_officer';
  const from = shanghaiIso(week, '00:00');
  const to = shanghaiIso(addDays(week, 7), '00:00');

  const load = useCallback(() => {
    const fail = (err: unknown) => setError(dutyErrorText(err, t));
    dutyApi.shifts(siteId, from, to).then(setShifts).catch(fail);
    dutyApi.gaps(siteId, from, to).then(setGaps).catch(fail);
    dutyApi.now(siteId).then(setNow).catch(fail);
  }, [siteId, from, to]);
  useEffect(load, [load]);
  useEffect(() => {
    if (canWrite)
      api
        .users()
        .then(setUsers)
        .catch(() => undefined);
  }, [canWrite]);

  const days = useMemo(() => Array.from({ length: 7 }, (_, i) => addDays(week, i)), [week]);
  const weekdays = t('duty.weekdays').split(',');
  const remove = (id: string) =>
    dutyApi
      .deleteShift(id)
      .then(load)
      .catch((err: unknown) => setError(dutyErrorText(err, t)));

  return (
    <section className="roster" aria-labelledby="roster-title">
      <header className="roster-head">
        <h2 id="roster-title">{t('duty.navRoster')}</h2>
        <SitePicker sites={sites} siteId={siteId} onChange={setSiteId} label={t('duty.site')} />
        <div className="roster-weeks" role="group">
          <button type="button" onClick={() => setWeek(addDays(week, -7))}>
            {t('duty.prevWeek')}
          </button>
          <button type="button" onClick={() => setWeek(weekStart(Date.now()))}>
            {t('duty.thisWeek')}
          </button>
          <button type="button" onClick={() => setWeek(addDays(week, 7))}>
            {t('duty.nextWeek')}
          </button>
        </div>
      </header>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <NowCard now={now} />
      <div className="roster-grid" data-testid="roster-grid">
        {days.map((day, i) => {
          const dayShifts = shifts.filter((s) => shanghaiDay(Date.parse(s.startsAt)) === day);
          const dayGaps = gaps.filter((g) => shanghaiDay(Date.parse(g.startsAt)) === day);
          return (
            <div className="roster-day card" key={day} data-day={day}>
              <h3>
                {day.slice(5)} {t('duty.week')}
                {weekdays[i]}
              </h3>
              <ul>
                {dayShifts.map((s) => (
                  <li key={s.id} className={`shift shift-${s.role}`} data-testid="shift">
                    <span className="shift-time">
                      {shanghaiClock(s.startsAt)}–{shanghaiClock(s.endsAt)}
                    </span>{' '}
                    <span className="badge">{t(s.role === 'leader' ? 'duty.leader' : 'duty.officer')}</span>{' '}
                    {s.name}
                    {canWrite && (
                      <button type="button" className="link" onClick={() => void remove(s.id)}>
                        {t('duty.delete')}
                      </button>
                    )}
                  </li>
                ))}
                {dayGaps.map((g) => (
                  <li key={`gap-${g.startsAt}`} className="gap" data-testid="roster-gap">
                    ⚠ {shanghaiClock(g.startsAt)}–{shanghaiShort(g.endsAt)}{' '}
                    {g.missingLeader && t('duty.gapNoLeader')}
                    {g.missingLeader && g.missingOfficers > 0 && '，'}
                    {g.missingOfficers > 0 &&
                      `${t('duty.gapOfficers')} ${g.missingOfficers} ${t('duty.people')}`}
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
      </div>
      {gaps.length === 0 && <p className="ok">{t('duty.noGaps')}</p>}
      {canWrite ? (
        <RosterForms
          siteId={siteId}
          week={week}
          users={eligibleUsers(users, sites, siteId)}
          onSaved={load}
          onError={setError}
        />
      ) : (
        <p className="key-hint">{t('duty.readOnly')}</p>
      )}
    </section>
  );
}

function NowCard({ now }: { now: DutyNowView | null }) {
  const { t } = useI18n();
  if (!now) return null;
  const nobody = !now.leader && now.officers.length === 0;
  return (
    <div className="card roster-now" data-testid="duty-now">
      <h3>{t('duty.nowOnDuty')}</h3>
      {nobody ? (
        <p className="warn">{t('duty.nobody')}</p>
      ) : (
        <dl>
          <dt>{t('duty.leader')}</dt>
          <dd data-testid="duty-now-leader">
            {now.leader?.name ?? t('duty.none')}
            {now.leaderSource === 'static' && ` ${t('duty.staticLeader')}`}
          </dd>
          <dt>{t('duty.officers')}</dt>
          <dd>{now.officers.map((o) => o.name).join('、') || t('duty.none')}</dd>
          {now.until && (
            <>
              <dt>{t('duty.until')}</dt>
              <dd>{shanghaiShort(now.until)}</dd>
            </>
          )}
        </dl>
      )}
    </div>
  );
}
