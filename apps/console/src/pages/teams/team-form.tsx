import { useState } from 'react';
import type { SiteView, TeamKind, TeamView, UpdateTeamRequest } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { teamApi } from './team-api.js';
import { teamErrorText } from './team-errors.js';
import { emptyForm, formOf, KIND_KEY, KINDS, teamRequest, type TeamForm } from './team-model.js';

/** 新建 / 编辑队伍. The site is chosen on creation only: a team does not move between sites. */
export function TeamFormCard({
  team,
  sites,
  onSaved,
  onClose,
}: {
  team: TeamView | null;
  sites: SiteView[];
  onSaved: (t: TeamView) => void;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const [f, setF] = useState<TeamForm>(() => (team ? formOf(team) : emptyForm(sites[0]?.id)));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = (k: keyof TeamForm) => (e: { target: { value: string } }) =>
    setF({ ...f, [k]: e.target.value });

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const req = teamRequest(f);
      if (team) {
        const { siteId: _site, status, ...changes } = req;
        // a status sent is a status set by hand, which ends the team's open alert: only when changed
        const update: UpdateTeamRequest = status === formOf(team).status ? changes : { ...changes, status };
        onSaved(await teamApi.update(team.id, update));
      } else onSaved(await teamApi.create(req));
    } catch (err) {
      setError(teamErrorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  const title = team ? t('team.editTitle') : t('team.new');
  return (
    <form
      className="card team-form"
      aria-label={title}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2>{title}</h2>
      <label>
        {t('team.name')}
        <input name="name" value={f.name} required maxLength={60} onChange={set('name')} />
      </label>
      <label>
        {t('team.kind')}
        <select name="kind" value={f.kind} onChange={(e) => setF({ ...f, kind: e.target.value as TeamKind })}>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t(KIND_KEY[k])}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('team.site')}
        <select name="siteId" value={f.siteId} disabled={!!team} onChange={set('siteId')}>
          {team && <option value={team.siteId}>{team.siteName}</option>}
          {!team &&
            sites.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
        </select>
      </label>
      <label>
        {t('team.leaderName')}
        <input name="leaderName" value={f.leaderName} required maxLength={50} onChange={set('leaderName')} />
      </label>
      <label>
        {t('team.leaderPhone')}
        <input
          name="leaderPhone"
          value={f.leaderPhone}
          required
          inputMode="tel"
          onChange={set('leaderPhone')}
        />
      </label>
      <label>
        {t('team.headcount')}
        <input
          name="headcount"
          value={f.headcount}
          required
          inputMode="numeric"
          onChange={set('headcount')}
        />
      </label>
      <label>
        {t('team.assembleMinutes')}
        <input
          name="assembleMinutes"
          value={f.assembleMinutes}
          required
          inputMode="numeric"
          onChange={set('assembleMinutes')}
        />
      </label>
      <label>
        {t('team.equipment')}
        <textarea name="equipment" value={f.equipment} rows={2} onChange={set('equipment')} />
      </label>
      <label>
        {t('team.status')}
        <select
          name="status"
          value={f.status}
          onChange={(e) => setF({ ...f, status: e.target.value as TeamForm['status'] })}
        >
          <option value="available">{t('team.status.available')}</option>
          <option value="unavailable">{t('team.status.unavailable')}</option>
        </select>
      </label>
      <label>
        {t('team.lastVerified')}
        <input name="lastVerifiedAt" type="date" value={f.lastVerifiedAt} onChange={set('lastVerifiedAt')} />
      </label>
      <div className="team-actions">
        <button type="submit" className="primary" disabled={busy}>
          {team ? t('team.save') : t('team.new')}
        </button>
        <button type="button" onClick={onClose}>
          {t('team.close')}
        </button>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}
