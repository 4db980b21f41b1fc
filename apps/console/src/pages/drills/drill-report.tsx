import type { DrillReportView, DrillSiteReportView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { DrillConsultations } from './drill-consultations.js';
import { secondsText } from './drill-model.js';

type Figures = DrillReportView['totals'];

function Cells({ f, unit }: { f: Figures; unit: string }) {
  const d = f.directives;
  const c = f.spotChecks;
  return (
    <>
      <td>{`${d.sent} / ${d.delivered} / ${d.acknowledged}`}</td>
      <td>{secondsText(d.ackSeconds, unit)}</td>
      <td>{`${d.answered} · ${secondsText(d.answerSeconds, unit)}`}</td>
      <td>{`${c.onTime} / ${c.late} / ${c.missed}`}</td>
      <td>{`${f.reports.incidents} / ${f.reports.submitted} / ${f.reports.late}`}</td>
      <td>{`${f.warnings.sent} / ${f.warnings.delivered} / ${f.warnings.acknowledged}`}</td>
      <td data-col="daily">
        {`${f.dailyReports.sent} / ${f.dailyReports.submitted} / ${f.dailyReports.late} / ${f.dailyReports.missing}`}
      </td>
      <td data-col="consult">
        {`${f.consultations.invited} / ${f.consultations.joined} · ${secondsText(f.consultations.joinSeconds, unit)}`}
      </td>
    </>
  );
}

/** 演练评估报告: one row per site taking part, the totals, and the sites that stand out. */
export function DrillReport({ report }: { report: DrillReportView }) {
  const { t } = useI18n();
  const unit = t('drill.seconds');
  const names = new Map(report.sites.map((s) => [s.siteId, s.siteName]));
  const named = (ids: string[]) => ids.map((id) => names.get(id) ?? id).join(t('drill.listSep'));
  const missed: [string, string[]][] = [
    [t('drill.missed.ack'), report.missed.acknowledgement],
    [t('drill.missed.feedback'), report.missed.feedback],
    [t('drill.missed.spotCheck'), report.missed.spotCheck],
    [t('drill.missed.daily'), report.missed.dailyReport],
    [t('drill.silent'), report.missed.silent],
  ];
  const row = (s: DrillSiteReportView) => (
    <tr
      key={s.siteId}
      data-site-id={s.siteId}
      data-silent={s.silent}
      className={s.silent ? 'drill-silent' : undefined}
    >
      <th scope="row">
        {s.siteName}
        {s.silent && <span className="badge drill-silent-mark">{t('drill.silent')}</span>}
      </th>
      <Cells f={s} unit={unit} />
    </tr>
  );
  return (
    <section className="drill-report">
      <h3>{t('drill.report')}</h3>
      {/* focusable: a keyboard user scrolls the wide table on a phone */}
      <div className="drill-table-wrap" tabIndex={0} role="region" aria-label={t('drill.report')}>
        <table data-testid="drill-report">
          <thead>
            <tr>
              <th scope="col">{t('drill.site')}</th>
              <th scope="col">{t('drill.col.directives')}</th>
              <th scope="col">{t('drill.col.ackTime')}</th>
              <th scope="col">{t('drill.col.feedback')}</th>
              <th scope="col">{t('drill.col.spotChecks')}</th>
              <th scope="col">{t('drill.col.reports')}</th>
              <th scope="col">{t('drill.col.warnings')}</th>
              <th scope="col">{t('drill.col.daily')}</th>
              <th scope="col">{t('drill.col.consult')}</th>
            </tr>
          </thead>
          <tbody>{report.sites.map(row)}</tbody>
          <tfoot>
            <tr>
              <th scope="row">{t('drill.total')}</th>
              <Cells f={report.totals} unit={unit} />
            </tr>
          </tfoot>
        </table>
      </div>
      <DrillConsultations report={report} />
      <div className="drill-missed" data-testid="drill-missed">
        <h4>{t('drill.missed')}</h4>
        {missed.every(([, ids]) => ids.length === 0) ? (
          <p>{t('drill.missed.none')}</p>
        ) : (
          <ul>
            {missed
              .filter(([, ids]) => ids.length > 0)
              .map(([label, ids]) => (
                <li key={label}>
                  <strong>{label}</strong> {named(ids)}
                </li>
              ))}
          </ul>
        )}
      </div>
    </section>
  );
}
