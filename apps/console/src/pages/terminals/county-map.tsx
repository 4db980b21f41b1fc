import type { SiteView, TerminalView } from '#contracts';
import { useI18n } from '../../i18n/index.js';

const SIZE = 420;
const C = SIZE / 2;

/**
 * A schematic county layout (no map tiles: the hub runs offline): the command centre in
 * the middle, townships on a ring, villages on a ring around their township, each
 * terminal a dot beside its site coloured by presence.
 */
export function CountyMap({ sites, terminals }: { sites: SiteView[]; terminals: TerminalView[] }) {
  const { t } = useI18n();
  const pos = new Map<string, { x: number; y: number }>();
  const root = sites.find((s) => !s.parentId || !sites.some((p) => p.id === s.parentId));
  if (root) pos.set(root.id, { x: C, y: C });
  const townships = sites.filter((s) => s.parentId === root?.id);
  townships.forEach((tw, i) => {
    const a = (2 * Math.PI * i) / Math.max(townships.length, 1) - Math.PI / 2;
    const p = { x: C + Math.cos(a) * 130, y: C + Math.sin(a) * 130 };
    pos.set(tw.id, p);
    const villages = sites.filter((s) => s.parentId === tw.id);
    villages.forEach((v, j) => {
      const b = a + ((j - (villages.length - 1) / 2) * 0.5) / Math.max(1, villages.length / 3);
      pos.set(v.id, { x: p.x + Math.cos(b) * 55, y: p.y + Math.sin(b) * 55 });
    });
  });
  return (
    <figure className="card county">
      <svg
        viewBox={`0 0 ${SIZE} ${SIZE}`}
        role="img"
        aria-label={`${t('countyLayout')}: ${terminals.length}`}
      >
        {sites.map((s) => {
          const p = pos.get(s.id);
          const parent = s.parentId ? pos.get(s.parentId) : undefined;
          return p && parent ? (
            <line key={`l${s.id}`} x1={parent.x} y1={parent.y} x2={p.x} y2={p.y} className="edge" />
          ) : null;
        })}
        {sites.map((s) => {
          const p = pos.get(s.id);
          if (!p) return null;
          return (
            <g key={s.id}>
              <circle
                cx={p.x}
                cy={p.y}
                r={s.kind === 'command' ? 12 : s.kind === 'township' ? 8 : 5}
                className={`site site-${s.kind}`}
              />
              <text x={p.x} y={p.y - 12} textAnchor="middle" className="site-label">
                {s.name}
              </text>
            </g>
          );
        })}
        {terminals.map((tm, i) => {
          const p = pos.get(tm.siteId);
          if (!p) return null;
          const k = terminals.slice(0, i).filter((o) => o.siteId === tm.siteId).length;
          return (
            <rect
              key={tm.id}
              x={p.x + 9 + k * 9}
              y={p.y + 4}
              width={7}
              height={7}
              className={`term term-${tm.presence}`}
            >
              <title>
                {tm.name}: {t(tm.presence)}
              </title>
            </rect>
          );
        })}
      </svg>
      <figcaption>
        {t('countyLayout')} · <span className="term-online">■</span> {t('online')}{' '}
        <span className="term-offline">■</span> {t('offline')} <span className="term-never">■</span>{' '}
        {t('never')}
      </figcaption>
    </figure>
  );
}
