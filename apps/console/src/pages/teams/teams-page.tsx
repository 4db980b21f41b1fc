import { useCallback, useEffect, useState } from 'react';
import type { SiteView, TeamKind, TeamStatus, TeamView, UserView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { CsvButtons, importedText, PageMessages, usePageMessages } from '../../components/resource-list.js';
import { api } from '../../lib/api.js';
import '../../styles/teams.css';
import { teamApi } from './team-api.js';
import { teamErrorText } from './team-errors.js';
import { TeamFormCard } from './team-form.js';
import { KIND_KEY, KINDS, STATUS_KEY, STATUSES } from './team-model.js';

const mayEdit = (u: UserView) => u.role === 'admin' || u.role === 'commander';
const mayAlert = (u: UserView) => u.role !== 'duty_officer';
/** 签收 and 反馈 arrive from the sites: the list is read again this often while open */
const REFRESH_MS = 15_000;

/**
 * 应急队伍 (docs/resources.md): the teams in scope with their status large and coloured,
 * filters by kind and status, the create and edit form, the alert (出动通知) and CSV.
 */
export default function TeamsPage({ user }: { user: UserView }) {
  const { t } = useI18n();
  const [teams, setTeams] = useState<TeamView[]>([]);
  const [sites, setSites] = useState<SiteView[]>([]);
  const [kind, setKind] = useState<TeamKind | ''>('');
  const [status, setStatus] = useState<TeamStatus | ''>('');
  const [editing, setEditing] = useState<TeamView | 'new' | null>(null);
  const { notice, error, fail, say, clearNotice } = usePageMessages((err) => teamErrorText(err, t));

  const load = useCallback(() => {
    teamApi.list({ kind, status }).then(setTeams, fail);
  }, [kind, status, fail]);
  useEffect(() => {
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);
  useEffect(() => {
    if (mayEdit(user)) api.sites().then(setSites, fail);
  }, [user, fail]);

  const done = (text: string) => {
    say(text);
    load();
  };
  const alert = async (team: TeamView) => {
    if (!window.confirm(`${t('team.alertConfirm')}\n${team.siteName} · ${team.name}`)) return;
    try {
      await teamApi.alert(team.id);
      done(t('team.alerted'));
    } catch (err) {
      fail(err);
    }
  };
  return (
    <div className="teams-page">
      <div className="team-top">
        <h1>{t('team.title')}</h1>
        {mayEdit(user) && !editing && (
          <button type="button" className="primary" onClick={() => setEditing('new')}>
            {t('team.new')}
          </button>
        )}
        <label>
          {t('team.filterKind')}
          <select name="filterKind" value={kind} onChange={(e) => setKind(e.target.value as TeamKind | '')}>
            <option value="">{t('team.all')}</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(KIND_KEY[k])}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('team.filterStatus')}
          <select
            name="filterStatus"
            value={status}
            onChange={(e) => setStatus(e.target.value as TeamStatus | '')}
          >
            <option value="">{t('team.all')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(STATUS_KEY[s])}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={load}>
          {t('team.refresh')}
        </button>
        <CsvButtons
          exportLabel={t('team.export')}
          importLabel={t('team.import')}
          fileName={() => 'teams.csv'}
          canImport={mayEdit(user)}
          api={teamApi}
          onImported={(r) => done(`${t('team.imported')}：${importedText(t('team.importedCounts'), r)}`)}
          onError={(err) => {
            clearNotice();
            fail(err);
          }}
        />
      </div>
      <PageMessages notice={notice} error={error} noticeClass="ok" noticeTestId="team-notice" />
      {editing && (
        <TeamFormCard
          key={editing === 'new' ? 'new' : editing.id}
          team={editing === 'new' ? null : editing}
          sites={sites}
          onClose={() => setEditing(null)}
          onSaved={() => {
            done(editing === 'new' ? t('team.created') : t('team.saved'));
            setEditing(null);
          }}
        />
      )}
      <div className="card team-table-wrap">
        <table className="team-table" aria-label={t('team.title')}>
          <thead>
            <tr>
              <th>{t('team.status')}</th>
              <th>{t('team.name')}</th>
              <th>{t('team.kind')}</th>
              <th>{t('team.site')}</th>
              <th>{t('team.leader')}</th>
              <th>{t('team.headcount')}</th>
              <th>{t('team.assembleCol')}</th>
              <th>{t('team.equipmentCol')}</th>
              <th>{t('team.lastVerifiedCol')}</th>
              <th>{t('team.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {teams.length === 0 && (
              <tr>
                <td colSpan={10} className="empty">
                  {t('team.empty')}
                </td>
              </tr>
            )}
            {teams.map((x) => (
              <tr key={x.id} data-team-id={x.id} data-status={x.status}>
                <td>
                  <span className={`team-status ${x.status}`}>{t(STATUS_KEY[x.status])}</span>
                </td>
                <td className="team-name">{x.name}</td>
                <td>{t(KIND_KEY[x.kind])}</td>
                <td>{x.siteName}</td>
                <td>
                  {x.leaderName}
                  <br />
                  <a href={`tel:${x.leaderPhone.replace(/[^0-9+]/g, '')}`}>{x.leaderPhone}</a>
                </td>
                <td>
                  {x.headcount} {t('team.headcountUnit')}
                </td>
                <td>
                  {x.assembleMinutes} {t('team.minutes')}
                </td>
                <td>{x.equipment.join('、')}</td>
                <td>{x.lastVerifiedAt ? beijingDay(x.lastVerifiedAt) : '—'}</td>
                <td className="team-row-actions">
                  {mayAlert(user) && x.status !== 'unavailable' && (
                    <button type="button" className="danger" onClick={() => void alert(x)}>
                      {t('team.alert')}
                    </button>
                  )}
                  {mayEdit(user) && (
                    <button type="button" onClick={() => setEditing(x)}>
                      {t('team.edit')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

const beijingDay = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10);
