import type { Failure, FuzzLog, Surface } from './drivers.js';

interface LogLine {
  /** a label (the hub's pino formatter) or pino's number */
  level: string | number;
  msg?: string;
  requestId?: string;
  err?: { message?: string; type?: string };
}

/** The hub's JSON log lines at error level or above. */
export function errorLines(output: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as LogLine;
      if (['error', 'fatal'].includes(String(parsed.level)) || Number(parsed.level) >= 50) lines.push(parsed);
    } catch {
      // a partial line at the end of the buffer
    }
  }
  return lines;
}

/**
 * Which class of bug a failure belongs to, from the database error the hub logged for it
 * (by request id) or else from what the input contained. The classes are the issue's items,
 * each fixed on its own branch; `unclassified` is a new bug.
 */
export function classify(f: Failure, cause: string | undefined): string {
  const c = cause ?? '';
  const tokenForged = f.tags.some((t) => /token:jwt-sub-(not-uuid|object)/.test(t));
  if (/invalid input syntax for type uuid/.test(c) && tokenForged) return 'auth: JWT sub not a UUID (item 5)';
  if (/0x00|\\u0000 cannot be converted/.test(c)) return 'input: NUL byte (item 5)';
  if (/Unicode escape|surrogate|invalid input syntax for type json|UTF8/.test(c))
    return 'input: lone surrogate (item 5)';
  if (/out of range|date\/time|timestamp|Invalid time value/i.test(c))
    return 'input: out-of-range date (item 5)';
  if (!cause) {
    if (tokenForged) return 'auth: JWT sub not a UUID (item 5)';
    if (f.tags.includes('nul')) return 'input: NUL byte (item 5)';
    if (f.tags.includes('lone-surrogate')) return 'input: lone surrogate (item 5)';
    if (f.tags.includes('date-edge')) return 'input: out-of-range date (item 5)';
  }
  return 'unclassified';
}

/** Failures grouped by class and problem, with the cause and two inputs each: what the assertion prints. */
export function groupFailures(log: FuzzLog, output: string): string[] {
  const lines = errorLines(output);
  const causeById = new Map<string, string>();
  for (const l of lines) if (l.requestId) causeById.set(l.requestId, l.err?.message ?? l.msg ?? '');
  // errors the hub logged that no 5xx accounts for: a socket handler, the broker, a job
  const accounted = new Set(log.failures.map((f) => f.requestId).filter(Boolean));
  const failures: (Failure & { cause?: string })[] = log.failures.map((f) => ({
    ...f,
    cause: f.requestId ? causeById.get(f.requestId) : undefined,
  }));
  for (const l of lines) {
    if (l.requestId && accounted.has(l.requestId)) continue;
    failures.push({
      surface: 'hub',
      problem: `logged ${l.level === 'fatal' || Number(l.level) >= 60 ? 'fatal' : 'error'}: ${l.msg}`,
      input: '',
      tags: [],
      cause: l.err?.message ?? '',
    });
  }
  // one group per class and cause: a class of bug shows once, with the routes it reached
  const groups = new Map<string, { n: number; examples: string[]; where: Set<string> }>();
  for (const f of failures) {
    const cls = classify(f, f.cause);
    // the value a database error quotes varies with the input; the class does not
    const cause = (f.cause ?? '').split('\n')[0]!.replace(/".*"/, '"…"').slice(0, 140);
    const key =
      cls === 'unclassified'
        ? `[${cls}] ${f.surface}: ${f.problem}${cause ? ` — ${cause}` : ''}`
        : `[${cls}] ${f.surface}${cause ? ` — ${cause}` : ''}`;
    const g = groups.get(key) ?? { n: 0, examples: [], where: new Set<string>() };
    g.n++;
    g.where.add(f.problem);
    if (g.examples.length < 2 && f.input) g.examples.push(f.input.slice(0, 700));
    groups.set(key, g);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, g]) => {
      const where = [...g.where];
      const list = `${where.slice(0, 6).join('; ')}${where.length > 6 ? `; +${where.length - 6} more` : ''}`;
      return `${key} ×${g.n} (${list})${g.examples.map((e) => `\n      e.g. ${e}`).join('')}`;
    });
}

/** the outcome keys each driver notes start with these words */
const OUTCOME_PREFIX: Record<Surface, string> = {
  rest: 'rest',
  'socket.io': 'socket.io',
  'raw-frames': 'raw',
  mqtt: 'mqtt',
};

export function summary(seed: number, log: FuzzLog, totalMs: number): string {
  const surfaces = Object.keys(log.counts) as Surface[];
  const outcomes = [...log.outcomes.entries()].sort((a, b) => b[1] - a[1]);
  const of = (prefix: string) =>
    outcomes
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, n]) => `${k.slice(prefix.length).trim() || k}: ${n}`)
      .join(', ');
  const rows = surfaces.map((s) => {
    const rate = log.ms[s] ? Math.round((log.counts[s] * 1000) / log.ms[s]) : 0;
    const failed = log.failures.filter((f) => f.surface === s).length;
    return (
      `  ${s.padEnd(11)} ${String(log.counts[s]).padStart(6)} inputs in ${(log.ms[s] / 1000).toFixed(1)} s (${rate}/s), ${failed} failures\n` +
      `              outcomes: ${of(OUTCOME_PREFIX[s])}`
    );
  });
  const total = surfaces.reduce((n, s) => n + log.counts[s], 0);
  const known = Object.values(OUTCOME_PREFIX);
  const other = outcomes
    .filter(([k]) => !known.some((p) => k.startsWith(p)))
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ');
  return [
    `fuzz seed ${seed} (FUZZ_SEED=${seed} replays it): ${total} inputs in ${(totalMs / 1000).toFixed(1)} s, ${log.failures.length} failures`,
    ...rows,
    `  checks: ${other}`,
  ].join('\n');
}
