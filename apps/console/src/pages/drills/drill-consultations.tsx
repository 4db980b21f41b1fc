import type { DrillConsultationView, DrillReportView } from '#contracts';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { beijingShort } from '../warnings/beijing-time.js';

const STATE_KEY: Record<DrillConsultationView['state'], MessageKey> = {
  scheduled: 'drill.consult.state.scheduled',
  live: 'drill.consult.state.live',
  ended: 'drill.consult.state.ended',
};

/** The drill's 视频会商: when each ran, who was invited and joined, and how fast each site joined. */
export function DrillConsultations({ report }: { report: DrillReportView }) {
  const { t } = useI18n();
  const unit = t('drill.seconds');
  return (
    <div className="drill-consults" data-testid="drill-consultations">
      <h4>{t('drill.consults')}</h4>
      {report.consultations.length === 0 ? (
        <p>{t('drill.consults.none')}</p>
      ) : (
        <div className="drill-table-wrap" tabIndex={0} role="region" aria-label={t('drill.consults')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('drill.consult.title')}</th>
                <th scope="col">{t('drill.consult.time')}</th>
                <th scope="col">{t('drill.consult.count')}</th>
                <th scope="col">{t('drill.consult.sites')}</th>
              </tr>
            </thead>
            <tbody>
              {report.consultations.map((c) => (
                <tr key={c.id} data-consultation-id={c.id}>
                  <th scope="row">
                    {c.title} <span className="badge drill-consult-state">{t(STATE_KEY[c.state])}</span>
                  </th>
                  <td>{`${beijingShort(c.startedAt)} / ${beijingShort(c.endedAt)}`}</td>
                  <td data-col="count">{`${c.invited} / ${c.joined}`}</td>
                  <td>
                    {c.sites
                      .map(
                        (s) =>
                          `${s.siteName} ${s.joinSeconds === null ? t('drill.consult.absent') : `${s.joinSeconds} ${unit}`}`,
                      )
                      .join(t('drill.listSep'))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
