import type { DirectiveRecipientView } from '#contracts';
import { useI18n } from '../../i18n/index.js';

const W = 320;
const H = 120;
const PAD = 24;

/** Cumulative 签收 over time since issue, as a step line (plain SVG). */
export function AckChart({
  issuedAt,
  recipients,
  now,
}: {
  issuedAt: string;
  recipients: DirectiveRecipientView[];
  now: number;
}) {
  const { t } = useI18n();
  const start = new Date(issuedAt).getTime();
  const times = recipients
    .map((r) => r.acknowledgedAt)
    .filter((x): x is string => x !== null)
    .map((x) => new Date(x).getTime() - start)
    .sort((a, b) => a - b);
  const total = Math.max(recipients.length, 1);
  const span = Math.max(now - start, times.at(-1) ?? 0, 60_000);
  const x = (ms: number) => PAD + (ms / span) * (W - 2 * PAD);
  const y = (n: number) => H - PAD - (n / total) * (H - 2 * PAD);
  let d = `M${x(0)},${y(0)}`;
  times.forEach((ms, i) => {
    d += ` H${x(ms).toFixed(1)} V${y(i + 1).toFixed(1)}`;
  });
  d += ` H${x(span).toFixed(1)}`;
  const minutes = Math.round(span / 60_000);
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`${t('ackChart')}: ${times.length}/${recipients.length}`}
      >
        <line x1={PAD} y1={H - PAD} x2={W - PAD} y2={H - PAD} className="axis" />
        <line x1={PAD} y1={PAD} x2={PAD} y2={H - PAD} className="axis" />
        <path d={d} className="ack-line" />
        <text x={PAD} y={H - 6} className="tick">
          0
        </text>
        <text x={W - PAD} y={H - 6} className="tick" textAnchor="end">
          {minutes} {t('minutes')}
        </text>
        <text x={PAD - 4} y={PAD + 4} className="tick" textAnchor="end">
          {recipients.length}
        </text>
      </svg>
      <figcaption>{t('ackChart')}</figcaption>
    </figure>
  );
}
