import { describe, expect, it } from '@jest/globals';
import { labelSize, overlaps, placeLabels, projectSites, type GeoSite } from './map-layout.js';

const site = (id: string, lat: number, lng: number): GeoSite => ({ id, name: id, lat, lng });

describe('projectSites', () => {
  it('fits the bounding box inside the padding, north up, and keeps the county shape', () => {
    // 0.2° of longitude at 31°N is about 0.171° of latitude on the ground
    const pts = projectSites(
      [site('nw', 31.4, 117.0), site('se', 31.2, 117.2), site('c', 31.3, 117.1)],
      600,
      400,
      20,
    );
    const by = new Map(pts.map((p) => [p.id, p]));
    expect(by.get('nw')!.y).toBeCloseTo(20, 6); // the northernmost site touches the top padding
    expect(by.get('se')!.y).toBeCloseTo(380, 6);
    expect(by.get('nw')!.x).toBeLessThan(by.get('se')!.x);
    const w = by.get('se')!.x - by.get('nw')!.x;
    const h = by.get('se')!.y - by.get('nw')!.y;
    expect(w / h).toBeCloseTo(Math.cos(31.3 * (Math.PI / 180)), 3);
    // centred on the spare (horizontal) axis
    expect((by.get('nw')!.x + by.get('se')!.x) / 2).toBeCloseTo(300, 6);
    expect(by.get('c')!.x).toBeCloseTo(300, 1);
  });

  it('puts one site, or sites on one spot, in the middle; nothing for no sites', () => {
    expect(projectSites([site('a', 30, 120)], 200, 100, 10)).toEqual([{ id: 'a', x: 100, y: 50 }]);
    expect(
      projectSites([site('a', 30, 120), site('b', 30, 120)], 200, 100, 10).map((p) => [p.x, p.y]),
    ).toEqual([
      [100, 50],
      [100, 50],
    ]);
    expect(projectSites([], 200, 100, 10)).toEqual([]);
  });

  it('spreads sites on one meridian over the height only', () => {
    const pts = projectSites([site('n', 31, 117), site('s', 30, 117)], 300, 300, 0);
    expect(pts.map((p) => [p.x, p.y])).toEqual([
      [150, 0],
      [150, 300],
    ]);
  });
});

describe('labelSize', () => {
  it('counts CJK as one em and Latin as narrower', () => {
    expect(labelSize('青山镇', 12)).toEqual({ w: 38, h: 15 });
    expect(labelSize('abc', 10).w).toBeLessThan(labelSize('青山镇', 10).w);
  });
});

describe('placeLabels', () => {
  const opts = { width: 400, height: 300, fontPx: 12, dotR: 5 };

  it('never lets two labels overlap, or a label cover another site, in a crowded cluster', () => {
    // 40 sites packed in a 120 px square: many names cannot all fit
    const points = Array.from({ length: 40 }, (_, i) => ({
      id: `s${i}`,
      x: 140 + (i % 8) * 15,
      y: 90 + Math.floor(i / 8) * 24,
    }));
    const labels = points.map((p) => ({ id: p.id, text: `第${p.id}村` }));
    const { placed, unplaced } = placeLabels(points, labels, opts);
    expect(placed.length + unplaced.length).toBe(40);
    expect(placed.length).toBeGreaterThan(5);
    expect(unplaced.length).toBeGreaterThan(0);
    for (let i = 0; i < placed.length; i++)
      for (let j = i + 1; j < placed.length; j++) expect(overlaps(placed[i]!, placed[j]!)).toBe(false);
    for (const l of placed) {
      for (const p of points)
        if (p.id !== l.id) expect(overlaps(l, { x: p.x - 5, y: p.y - 5, w: 10, h: 10 })).toBe(false);
      expect(l.x).toBeGreaterThanOrEqual(0);
      expect(l.x + l.w).toBeLessThanOrEqual(400);
      expect(l.y).toBeGreaterThanOrEqual(0);
      expect(l.y + l.h).toBeLessThanOrEqual(300);
    }
  });

  it('labels first whoever comes first, and moves a label to the left at the right edge', () => {
    const points = [
      { id: 'late', x: 100, y: 100 },
      { id: 'edge', x: 395, y: 200 },
    ];
    const { placed, unplaced } = placeLabels(
      points,
      [
        { id: 'late', text: '未签收镇' },
        { id: 'edge', text: '边上的镇' },
      ],
      opts,
    );
    expect(unplaced).toEqual([]);
    expect(placed.find((l) => l.id === 'late')!.anchor).toBe('start');
    const edge = placed.find((l) => l.id === 'edge')!;
    expect(edge.anchor).toBe('end');
    expect(edge.tx).toBeCloseTo(395 - 8, 6);
  });

  it('gives the first spot to the earlier label when two sites share one, the next spot to the other', () => {
    const points = [
      { id: 'a', x: 200, y: 150 },
      { id: 'b', x: 200, y: 150 },
    ];
    const { placed, unplaced } = placeLabels(
      points,
      [
        { id: 'a', text: '甲' },
        { id: 'b', text: '乙' },
      ],
      opts,
    );
    expect(unplaced).toEqual([]);
    expect(placed.map((l) => [l.id, l.anchor])).toEqual([
      ['a', 'start'],
      ['b', 'end'],
    ]);
  });
});
