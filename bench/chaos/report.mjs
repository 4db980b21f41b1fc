// The figures of a chaos run: what was issued, the faults by kind, the violations by
// invariant (a few examples each), and issue → 签收 during faults and outside them.

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
const sec = (ms) => (Number.isNaN(ms) ? '-' : `${(ms / 1000).toFixed(1)} s`);

export function printReport({ cfg, accepted, refused, faults, result, history, invariants, dir }) {
  const { violations, directives, recipients } = result;
  const during = [];
  const outside = [];
  for (const r of recipients.values()) {
    if (r.acked == null) continue;
    const d = directives.get(r.d);
    (faults.during(d.issued) ? during : outside).push(Number(r.acked) - d.issued);
  }
  const states = {};
  for (const r of recipients.values()) states[r.state] = (states[r.state] ?? 0) + 1;
  const count = (k) => history.filter((e) => e.k === k).length;
  const byKind = {};
  for (const f of faults.faults) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;

  const lines = [
    '',
    `chaos run, seed ${cfg.seed} (replay: CHAOS_SEED=${cfg.seed})`,
    `  ${cfg.minutes} min, ${cfg.terminals} terminals, ${cfg.consoles} consoles, ${cfg.rate} directives/min, a fault every ~${cfg.faultEveryMs / 1000} s`,
    `directives accepted        ${accepted.length} (in the database: ${directives.size}; requests not accepted: ${refused.total} ${JSON.stringify(refused.byStatus)})`,
    `recipients (site)          ${recipients.size} ${JSON.stringify(states)}`,
    `device displays            ${count('show')} (repeats dropped by messageId: ${count('repeat')}), terminal 签收 sent ${count('ack')}`,
    `console displays           ${count('cshow')}, console 签收 ok ${count('cack')} (refused ${count('cack-refused')}, unanswered ${count('cack?')})`,
    `faults injected            ${faults.faults.length} ${Object.entries(byKind)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
    'violations by invariant (goal 0)',
    ...Object.entries(invariants).map(
      ([k, what]) => `  ${String(violations[k].length).padStart(6)}  ${k}: ${what}`,
    ),
    `issue → 签收 (recipient acknowledged_at − issued_at; includes the simulated 1–30 s before the key press)`,
    `  during faults (issued in a fault or ≤10 s after)  n=${during.length} p50 ${sec(pct(during, 50))} p99 ${sec(pct(during, 99))}`,
    `  outside faults                                    n=${outside.length} p50 ${sec(pct(outside, 50))} p99 ${sec(pct(outside, 99))}`,
  ];
  const errors = refused.answers.filter((a) => a.status >= 500);
  if (errors.length)
    lines.push(
      `issue requests answered 5xx: ${errors.length} (${errors.filter((a) => faults.during(a.at, 0)).length} during a fault; each retried on the other dispatch)`,
      ...errors.slice(0, 3).map((a) => `  ${a.status} ${a.error}`),
    );
  const total = Object.values(violations).reduce((n, xs) => n + xs.length, 0);
  for (const [k, xs] of Object.entries(violations))
    if (xs.length) lines.push(`${k} examples:`, ...xs.slice(0, 5).map((x) => `  ${x}`));
  lines.push('fault timeline (s from the first fault):');
  const f0 = faults.faults[0]?.start ?? 0;
  for (const f of faults.faults)
    lines.push(
      `  +${((f.start - f0) / 1000).toFixed(0).padStart(4)}  ${f.kind} ${f.target ?? ''} (${((f.end - f.start) / 1000).toFixed(1)} s)`,
    );
  lines.push(total ? `FAILED: ${total} violations; logs in ${dir}` : 'OK: 0 violations', `seed ${cfg.seed}`);
  console.log(lines.join('\n'));
  return total;
}
