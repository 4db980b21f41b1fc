// The soak's arithmetic: least-squares slope, its standard error, a verdict per series.
// Pure functions, so the rule that decides "leak" can be read (and checked) on its own.

/** Least squares y = a + b·x; returns b, its standard error and the mean of y. */
export function fit(points) {
  const n = points.length;
  if (n < 3) return { slope: 0, se: Infinity, mean: n ? points.reduce((s, p) => s + p.y, 0) / n : 0, n };
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  const slope = sxx ? sxy / sxx : 0;
  const a = my - slope * mx;
  const sse = points.reduce((s, p) => s + (p.y - a - slope * p.x) ** 2, 0);
  const se = sxx ? Math.sqrt(sse / (n - 2) / sxx) : Infinity;
  return { slope, se, mean: my, n };
}

/**
 * "growing" needs both: the slope is clearly above noise (more than 3 standard errors) and
 * it matters (more than `tolerance` per hour). A slope within noise, or too small to matter
 * over a day, is "flat". x is in hours, so the slope is per hour.
 */
export function verdict(points, tolerance) {
  const f = fit(points);
  const growing = f.slope > 3 * f.se && f.slope > tolerance;
  return { ...f, tolerance, verdict: growing ? 'growing' : 'flat' };
}

/** The series the soak judges, with what "matters" means for each (per hour). */
export const SERIES = [
  { key: 'rss', label: 'hub RSS', unit: 'MiB', memory: true, tolerance: (mean) => Math.max(8, mean * 0.05) },
  {
    key: 'heap',
    label: 'hub heap used',
    unit: 'MiB',
    memory: true,
    tolerance: (mean) => Math.max(4, mean * 0.05),
  },
  {
    key: 'worker',
    label: 'mediasoup worker RSS',
    unit: 'MiB',
    memory: true,
    tolerance: (mean) => Math.max(4, mean * 0.05),
  },
  { key: 'handles', label: 'active handles', unit: '', tolerance: (mean) => Math.max(5, mean * 0.05) },
  { key: 'db', label: 'database connections', unit: '', tolerance: () => 1 },
];

const cell = (v, w) => String(v).padStart(w);

export function table(samples) {
  const head = [
    't (s)',
    'RSS MiB',
    'heap MiB',
    'worker MiB',
    'handles',
    'db conns',
    'directives',
    'deliveries',
  ];
  const lines = [head.map((h) => cell(h, 11)).join('')];
  for (const s of samples)
    lines.push(
      [
        Math.round(s.t),
        s.rss.toFixed(1),
        s.heap.toFixed(1),
        s.worker == null ? 'n/a' : s.worker.toFixed(1),
        s.handles,
        s.db ?? 'n/a',
        s.directives,
        s.deliveries,
      ]
        .map((v) => cell(v, 11))
        .join(''),
    );
  return lines.join('\n');
}

/**
 * V8's heap climbs between major collections, about 20 minutes apart under the soak's
 * traffic (measured 2026-12-07): a shorter window sees only a climb. So memory is judged on
 * at least 30 minutes after warm-up, and is "inconclusive" (not a failure) below that;
 * handles and database connections have no such cycle and are judged at any length.
 */
export const MEMORY_WINDOW_SECONDS = 30 * 60;

/** One verdict per series over the samples after warm-up (t in seconds). */
export function judge(samples, warmupSeconds) {
  const after = samples.filter((s) => s.t >= warmupSeconds);
  const window = after.length ? after[after.length - 1].t - after[0].t : 0;
  return SERIES.filter((series) => after.some((s) => s[series.key] != null)).map((series) => {
    const points = after
      .filter((s) => s[series.key] != null)
      .map((s) => ({ x: s.t / 3600, y: s[series.key] }));
    const mean = points.reduce((a, p) => a + p.y, 0) / points.length;
    const v = verdict(points, series.tolerance(mean));
    if (series.memory && window < MEMORY_WINDOW_SECONDS && v.verdict === 'growing')
      return { ...series, ...v, verdict: 'inconclusive (window < 30 min)' };
    return { ...series, ...v };
  });
}

export function formatJudgement(rows) {
  return rows
    .map(
      (r) =>
        `  ${r.label.padEnd(22)} mean ${r.mean.toFixed(1)} ${r.unit}  slope ${r.slope >= 0 ? '+' : ''}${r.slope.toFixed(2)} ${r.unit}/h` +
        ` (± ${Number.isFinite(r.se) ? r.se.toFixed(2) : '∞'}, tolerance ${r.tolerance.toFixed(1)})  ${r.verdict}`,
    )
    .join('\n');
}
