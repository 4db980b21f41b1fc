import { useCallback, useEffect, useRef, useState } from 'react';
import type { DrillReportView, DrillView, SiteView, UserView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { api } from '../../lib/api.js';
import '../../styles/drills.css';
import { beijingShort } from '../warnings/beijing-time.js';
import { drillApi } from './drill-api.js';
import { DrillCompose } from './drill-compose.js';
import { DrillCreate } from './drill-create.js';
import { drillErrorText } from './drill-errors.js';
import { KIND_KEY, STATE_KEY } from './drill-model.js';
import { DrillReport } from './drill-report.js';

const mayRun = (u: UserView) => u.role !== 'duty_officer';

/**
 * 演练: the drills in scope (newest first), a new drill, and one drill with its after-action
 * report, its early end and a directive issued in it (docs/drills.md).
 */
export default function DrillsPage({ user }: { user: UserView }) {
  const { t } = useI18n();
  const [drills, setDrills] = useState<DrillView[]>([]);
  const [sites, setSites] = useState<SiteView[]>([]);
  const [creating, setCreating] = useState(false);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [report, setReport] = useState<DrillReportView | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const fail = useCallback((err: unknown) => setError(drillErrorText(err, t)), [t]);

  const loadList = useCallback(() => {
    drillApi.list().then(setDrills, fail);
  }, [fail]);
  // answers can cross: a report for the drill just left must not replace the one now shown
  const shownId = useRef<string | null>(null);
  shownId.current = selectedId;
  const loadReport = useCallback(() => {
    if (!selectedId) return setReport(null);
    drillApi.report(selectedId).then((r) => {
      if (r.drill.id === shownId.current) setReport(r);
    }, fail);
  }, [selectedId, fail]);

  useEffect(loadList, [loadList]);
  useEffect(loadReport, [loadReport]);
  useEffect(() => {
    if (mayRun(user)) api.sites().then(setSites, fail);
  }, [user, fail]);

  const end = async (d: DrillView) => {
    if (!window.confirm(t('drill.endConfirm'))) return;
    try {
      await drillApi.end(d.id);
      setNotice(t('drill.ended'));
      loadList();
      loadReport();
    } catch (err) {
      fail(err);
    }
  };

  const d = report?.drill.id === selectedId ? report.drill : null;
  return (
    <div className="drills-page">
      <div className="drill-top">
        <h1>{t('drill.title')}</h1>
        {mayRun(user) && !creating && (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            {t('drill.new')}
          </button>
        )}
        {notice && (
          <p role="status" className="ok" data-testid="drill-notice">
            {notice}
          </p>
        )}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </div>
      {creating && (
        <DrillCreate
          sites={sites}
          onClose={() => setCreating(false)}
          onCreated={(created) => {
            setCreating(false);
            setError(null);
            setNotice(t('drill.created'));
            loadList();
            setSelectedId(created.id);
          }}
        />
      )}
      <ul className="card drill-list" aria-label={t('drill.title')}>
        {drills.length === 0 && <li className="empty">{t('drill.empty')}</li>}
        {drills.map((x) => (
          <li key={x.id} data-drill-id={x.id} data-state={x.state}>
            <button
              type="button"
              aria-current={x.id === selectedId ? 'true' : undefined}
              onClick={() => {
                setNotice(null);
                setSelectedId(x.id);
              }}
            >
              <span className="badge drill">{t('drill.badge')}</span> <strong>{x.name}</strong>
              <span className="drill-meta">
                {t(KIND_KEY[x.kind])} · {t(STATE_KEY[x.state])} · {beijingShort(x.startsAt)}–
                {beijingShort(x.endsAt)}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {d && report ? (
        <article
          className="card drill-detail"
          data-testid="drill-detail"
          data-drill-id={d.id}
          data-state={d.state}
        >
          <header>
            <h2>
              <span className="badge drill">{t('drill.badge')}</span> {d.name}
            </h2>
            <p className="drill-meta">
              {t(KIND_KEY[d.kind])} · {t(STATE_KEY[d.state])} · {beijingShort(d.startsAt)}–
              {beijingShort(d.endedAt ?? d.endsAt)} · {d.sites.map((s) => s.name).join(t('drill.listSep'))}
            </p>
            <div className="drill-actions">
              <button type="button" onClick={loadReport}>
                {t('drill.refresh')}
              </button>
              {mayRun(user) && d.state !== 'ended' && (
                <button type="button" className="danger" onClick={() => void end(d)}>
                  {t('drill.end')}
                </button>
              )}
            </div>
          </header>
          <DrillReport report={report} />
          {mayRun(user) && d.state !== 'ended' && <DrillCompose key={d.id} drill={d} onIssued={loadReport} />}
        </article>
      ) : (
        <p className="card empty">{t('drill.pick')}</p>
      )}
    </div>
  );
}
