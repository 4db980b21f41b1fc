/**
 * The offline county map's geometry, pure and unit-tested: a township in an outage reaches
 * no tile server, so sites are drawn from their own coordinates with a plain projection,
 * and their names are placed so that no two overlap (a name that cannot be placed is left
 * off the drawing and listed beside it instead).
 */

export interface GeoSite {
  id: string;
  name: string;
  lat: number;
  lng: number;
}

export interface Point {
  id: string;
  x: number;
  y: number;
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PlacedLabel extends Box {
  id: string;
  /** where the text's anchor sits, for SVG <text> (start, end or middle) */
  anchor: 'start' | 'end' | 'middle';
  /** the text's baseline */
  tx: number;
  ty: number;
}

const RAD = Math.PI / 180;

/**
 * Equirectangular, with longitude shrunk by cos(mid-latitude) so a county keeps its shape,
 * fitted to the sites' bounding box inside `width` × `height` less `pad` on each side. Up
 * is north. A single site (or sites on one spot) sits in the middle.
 */
export function projectSites(sites: readonly GeoSite[], width: number, height: number, pad: number): Point[] {
  if (sites.length === 0) return [];
  const lats = sites.map((s) => s.lat);
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  const k = Math.cos(midLat * RAD);
  const xs = sites.map((s) => s.lng * k);
  const ys = sites.map((s) => -s.lat);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const innerW = Math.max(width - 2 * pad, 1);
  const innerH = Math.max(height - 2 * pad, 1);
  const spanX = x1 - x0;
  const spanY = y1 - y0;
  const scale = Math.min(spanX > 0 ? innerW / spanX : Infinity, spanY > 0 ? innerH / spanY : Infinity);
  const s = Number.isFinite(scale) ? scale : 0;
  // centre the drawing on the spare axis
  const offX = pad + (innerW - spanX * s) / 2;
  const offY = pad + (innerH - spanY * s) / 2;
  return sites.map((site, i) => ({ id: site.id, x: offX + (xs[i]! - x0) * s, y: offY + (ys[i]! - y0) * s }));
}

/** A label's size in px: CJK characters are about one em wide, Latin letters and digits about 0.6. */
export function labelSize(text: string, fontPx: number): { w: number; h: number } {
  let em = 0;
  for (const ch of text) em += /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]/.test(ch) ? 1 : 0.62;
  return { w: Math.ceil(em * fontPx) + 2, h: Math.ceil(fontPx * 1.25) };
}

export const overlaps = (a: Box, b: Box, gap = 0): boolean =>
  a.x < b.x + b.w + gap && b.x < a.x + a.w + gap && a.y < b.y + b.h + gap && b.y < a.y + a.h + gap;

interface LabelRequest {
  id: string;
  text: string;
}

/**
 * Greedy placement in the order given (put the sites that matter most first): each label
 * tries right, left, above, below and the four corners of its dot, and takes the first
 * spot inside the drawing that touches no other label and no other dot. Returns the
 * placed labels and the ids left unlabelled.
 */
export function placeLabels(
  points: readonly Point[],
  labels: readonly LabelRequest[],
  opts: { width: number; height: number; fontPx: number; dotR: number },
): { placed: PlacedLabel[]; unplaced: string[] } {
  const { width, height, fontPx, dotR } = opts;
  const at = new Map(points.map((p) => [p.id, p]));
  const dots: (Box & { id: string })[] = points.map((p) => ({
    id: p.id,
    x: p.x - dotR,
    y: p.y - dotR,
    w: 2 * dotR,
    h: 2 * dotR,
  }));
  const placed: PlacedLabel[] = [];
  const unplaced: string[] = [];
  const gap = 2;
  for (const l of labels) {
    const p = at.get(l.id);
    if (!p) continue;
    const { w, h } = labelSize(l.text, fontPx);
    const d = dotR + 3;
    const candidates: { x: number; y: number; anchor: PlacedLabel['anchor'] }[] = [
      { x: p.x + d, y: p.y - h / 2, anchor: 'start' },
      { x: p.x - d - w, y: p.y - h / 2, anchor: 'end' },
      { x: p.x - w / 2, y: p.y - d - h, anchor: 'middle' },
      { x: p.x - w / 2, y: p.y + d, anchor: 'middle' },
      { x: p.x + d, y: p.y - d - h, anchor: 'start' },
      { x: p.x + d, y: p.y + d, anchor: 'start' },
      { x: p.x - d - w, y: p.y - d - h, anchor: 'end' },
      { x: p.x - d - w, y: p.y + d, anchor: 'end' },
    ];
    const spot = candidates.find((c) => {
      const box = { x: c.x, y: c.y, w, h };
      if (box.x < 0 || box.y < 0 || box.x + w > width || box.y + h > height) return false;
      if (placed.some((o) => overlaps(box, o, gap))) return false;
      return !dots.some((o) => o.id !== l.id && overlaps(box, o, 1));
    });
    if (!spot) {
      unplaced.push(l.id);
      continue;
    }
    const tx = spot.anchor === 'start' ? spot.x : spot.anchor === 'end' ? spot.x + w : spot.x + w / 2;
    // the baseline sits about a fifth of the line above the box's bottom
    placed.push({ id: l.id, x: spot.x, y: spot.y, w, h, anchor: spot.anchor, tx, ty: spot.y + h * 0.8 });
  }
  return { placed, unplaced };
}
