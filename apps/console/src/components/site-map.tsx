import { useEffect, useMemo, useRef, useState } from 'react';
import type { SiteView } from '#contracts';
import { useI18n } from '../i18n/index.js';
import { placeLabels, projectSites, type GeoSite } from '../lib/map-layout.js';
import '../styles/map.css';

/** How a site is shown: `flash` for overdue, `alert` unsigned / offline, `warn`, `ok`, `idle`. */
export type MapTone = 'flash' | 'alert' | 'warn' | 'ok' | 'idle';
export interface SiteMark {
  tone: MapTone;
  /** the state in words (never colour alone): the dot's tooltip and the list's text */
  text: string;
}

const TONE_ORDER: Record<MapTone, number> = { flash: 0, alert: 1, warn: 2, ok: 3, idle: 4 };
const FONT_PX = 13;
const DOT_R = 6;
const PAD = 16;

/** The element's width in px, followed as the window resizes (a phone turned sideways). */
function useWidth<T extends HTMLElement>(): [React.RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(Math.floor(el.clientWidth)));
    ro.observe(el);
    setWidth(Math.floor(el.clientWidth));
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

const hasCoords = (s: SiteView): s is SiteView & { lat: number; lng: number } =>
  typeof s.lat === 'number' && typeof s.lng === 'number';

/**
 * The county's sites drawn from their own coordinates (no tile server: a township in an
 * outage reaches none), coloured by state, laid out at the drawing's real pixel size so
 * names stay legible on a phone and never overlap (lib/map-layout.ts). Sites without
 * coordinates, and names that found no free spot, are listed beside the drawing.
 */
export function SiteMap({
  sites,
  marks,
  title,
  legend,
  testId,
}: {
  sites: SiteView[];
  marks: ReadonlyMap<string, SiteMark>;
  title: string;
  /** the tones this map uses, in words */
  legend: { tone: MapTone; text: string }[];
  testId: string;
}) {
  const { t } = useI18n();
  const [box, width] = useWidth<HTMLDivElement>();
  const height = Math.round(Math.min(Math.max(width * 0.62, 240), 520));
  const shown = useMemo(() => sites.filter((s) => marks.has(s.id)), [sites, marks]);
  const placedSites = shown.filter(hasCoords);
  const noCoords = shown.filter((s) => !hasCoords(s));

  const layout = useMemo(() => {
    if (width === 0) return null;
    const geo: GeoSite[] = placedSites.map((s) => ({ id: s.id, name: s.name, lat: s.lat, lng: s.lng }));
    const points = projectSites(geo, width, height, PAD + FONT_PX);
    // the sites that need chasing get their names first
    const order = [...placedSites].sort(
      (a, b) =>
        TONE_ORDER[marks.get(a.id)!.tone] - TONE_ORDER[marks.get(b.id)!.tone] ||
        a.name.localeCompare(b.name, 'zh-CN'),
    );
    const labels = placeLabels(
      points,
      order.map((s) => ({ id: s.id, text: s.name })),
      { width, height, fontPx: FONT_PX, dotR: DOT_R },
    );
    return { points, ...labels };
    // placedSites is derived from sites and marks, which are the dependencies
  }, [width, height, sites, marks]);

  const name = new Map(shown.map((s) => [s.id, s.name]));
  const unlabelled = layout ? layout.unplaced : [];
  const listed = [
    ...noCoords.map((s) => ({ id: s.id, noCoords: true })),
    ...unlabelled.map((id) => ({ id, noCoords: false })),
  ];
  return (
    <figure className="card site-map" data-testid={testId}>
      <figcaption>
        <strong>{title}</strong>
        <span className="map-legend" aria-hidden="true">
          {legend.map((l) => (
            <span key={l.tone} className="legend-item">
              <span className={`mk mk-${l.tone}`}>●</span> {l.text}
            </span>
          ))}
        </span>
      </figcaption>
      <div className="map-body">
        <div className="map-canvas" ref={box}>
          {layout && placedSites.length > 0 ? (
            <svg
              width={width}
              height={height}
              viewBox={`0 0 ${width} ${height}`}
              role="img"
              aria-label={`${title}: ${placedSites.map((s) => `${s.name} ${marks.get(s.id)!.text}`).join('，')}`}
            >
              <rect x={0} y={0} width={width} height={height} className="map-ground" />
              {layout.points.map((p) => {
                const m = marks.get(p.id)!;
                return (
                  <circle
                    key={p.id}
                    cx={p.x}
                    cy={p.y}
                    r={DOT_R}
                    className={`dot mk-${m.tone}`}
                    data-testid="map-site"
                    data-site-name={name.get(p.id)}
                    data-tone={m.tone}
                  >
                    <title>
                      {name.get(p.id)}: {m.text}
                    </title>
                  </circle>
                );
              })}
              {layout.placed.map((l) => (
                <text
                  key={l.id}
                  x={l.tx}
                  y={l.ty}
                  textAnchor={l.anchor}
                  className="map-label"
                  data-testid="map-label"
                  fontSize={FONT_PX}
                >
                  {name.get(l.id)}
                </text>
              ))}
            </svg>
          ) : (
            <p className="hint">{t('map.noCoordinates')}</p>
          )}
        </div>
        {listed.length > 0 && (
          <ul className="map-list" aria-label={t('map.listed')} data-testid="map-list">
            {listed.map(({ id, noCoords: nc }) => {
              const m = marks.get(id)!;
              return (
                <li key={id} data-testid="map-list-item" data-site-name={name.get(id)} data-tone={m.tone}>
                  <span className={`mk mk-${m.tone}`} aria-hidden="true">
                    ●
                  </span>{' '}
                  {name.get(id)} · <span className="map-state">{m.text}</span>
                  {nc && <small> · {t('map.noCoords')}</small>}
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </figure>
  );
}
