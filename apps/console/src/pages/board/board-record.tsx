import { useMemo } from 'react';
import type { DirectiveRecipientView, DirectiveView, SiteView } from '#contracts';
import { OutputButtons } from '../../components/output-buttons.js';
import { SiteMap, type SiteMark } from '../../components/site-map.js';
import { useI18n } from '../../i18n/index.js';
import { api } from '../../lib/api.js';
import { csvName, downloadCsv } from '../../lib/csv.js';
import { isAcked } from '../../lib/levels.js';
import { recipientRecordCsv } from '../../lib/record-csv.js';

/** A recipient on the map: acknowledged green, waiting red, past its deadline flashing red. */
export function recipientMark(
  r: DirectiveRecipientView,
  due: number,
  now: number,
): { tone: SiteMark['tone']; key: 'map.acked' | 'map.notAcked' | 'map.overdue' } {
  if (isAcked(r.state)) return { tone: 'ok', key: 'map.acked' };
  // the site's own deadline: one added by a warning's widened area has a later one
  const own = r.ackDeadline ? Date.parse(r.ackDeadline) : due;
  if (r.overdue || now > own) return { tone: 'flash', key: 'map.overdue' };
  return { tone: 'alert', key: 'map.notAcked' };
}

/** 导出 CSV / 打印 of the directive's recipient record (签收记录), names resolved at export time. */
export function RecordOutput({
  d,
  recipients,
  sites,
  order,
  onError,
}: {
  d: DirectiveView;
  recipients: DirectiveRecipientView[];
  sites: ReadonlyMap<string, SiteView>;
  /** the grid's order (region code), so the file reads as the screen does */
  order: (a: DirectiveRecipientView, b: DirectiveRecipientView) => number;
  onError: (err: unknown) => void;
}) {
  const { t } = useI18n();
  const exportCsv = () =>
    api
      .users()
      .then((users) => {
        const name = new Map(users.map((u) => [u.id, u.displayName ?? u.username]));
        const csv = recipientRecordCsv(d, [...recipients].sort(order), {
          t,
          sites,
          userName: (id) => (id ? (name.get(id) ?? `#${id.slice(0, 8)}`) : ''),
          now: Date.now(),
        });
        downloadCsv(csvName(`${t('out.recordTitle')}-${d.serial}`), csv);
      })
      .catch(onError);
  return <OutputButtons testId="record-out" onCsv={exportCsv} />;
}

/** The selected directive's recipients on the county map. */
export function BoardMap({
  recipients,
  sites,
  ackBy,
  now,
}: {
  recipients: DirectiveRecipientView[];
  sites: SiteView[];
  ackBy: string;
  now: number;
}) {
  const { t } = useI18n();
  const due = new Date(ackBy).getTime();
  // recolour once a second at most (the countdown's tick), not on every render
  const key = recipients.map((r) => `${r.siteId}:${recipientMark(r, due, now).tone}`).join(',');
  const marks = useMemo(
    () =>
      new Map<string, SiteMark>(
        recipients.map((r) => {
          const m = recipientMark(r, due, now);
          return [r.siteId, { tone: m.tone, text: t(m.key) }];
        }),
      ),
    [key, t],
  );
  return (
    <SiteMap
      sites={sites}
      marks={marks}
      title={t('map.board')}
      testId="board-map"
      legend={[
        { tone: 'alert', text: t('map.notAcked') },
        { tone: 'flash', text: t('map.overdue') },
        { tone: 'ok', text: t('map.acked') },
      ]}
    />
  );
}
