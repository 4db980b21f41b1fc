// The invariants of a chaos run, checked against the history (what the devices showed and
// 签收ed, what the consoles were told was recorded, what the harness was told was accepted)
// and the state read back from the database and the audit verify endpoint.

export const INVARIANTS = {
  lost: 'an accepted directive is missing from the database',
  unreached: 'a recipient neither reached nor marked expired/failed',
  terminalMissed: 'a terminal of a target site never showed a directive that did not expire',
  shownTwice: 'a device showed a directive more often than it was (re)sent',
  ackLost: 'a 签收 the hub or broker took is not recorded',
  ackTwice: 'a 签收 recorded more than once (events or audit)',
  escalationTwice: 'an escalation step ran twice',
  escalationSkipped: 'an escalation step skipped or overdue',
  escalatedAfterAck: 'an escalation step ran after the 签收',
  lateDelivery: 'a device showed a message after its expiry',
  audit: 'the audit chain does not verify',
};

const key = (d, s) => `${d}|${s}`;

export async function checkInvariants({
  query,
  history,
  accepted,
  terminals,
  verifyAudit,
  expirySlackMs,
  now,
}) {
  const v = Object.fromEntries(Object.keys(INVARIANTS).map((k) => [k, []]));
  const directives = new Map(
    (
      await query(
        `SELECT id, status, extract(epoch FROM issued_at) * 1000 AS issued, extract(epoch FROM expires_at) * 1000 AS expires
         FROM directives`,
      )
    ).map((r) => [
      r.id,
      { ...r, issued: Number(r.issued), expires: r.expires == null ? null : Number(r.expires) },
    ]),
  );
  for (const a of accepted) if (!directives.has(a.id)) v.lost.push(a.id);

  const recipients = new Map();
  for (const r of await query(
    `SELECT directive_id AS d, site_id AS s, state, escalation_level AS level,
            extract(epoch FROM acknowledged_at) * 1000 AS acked,
            extract(epoch FROM next_escalation_at) * 1000 AS next
     FROM directive_recipients`,
  ))
    recipients.set(key(r.d, r.s), r);
  for (const [k, r] of recipients) {
    const d = directives.get(r.d);
    if (d.status === 'cancelled') continue;
    if (r.state === 'pending') v.unreached.push(`${k} pending`);
    if (['pending', 'delivered'].includes(r.state) && r.next != null && Number(r.next) < now - 30_000)
      v.escalationSkipped.push(
        `${k} level ${r.level}, next step due ${Math.round((now - r.next) / 1000)} s ago`,
      );
  }

  // what each device showed, per (terminal, directive): messageIds, and late ones
  const shown = new Map();
  const acksSent = new Map();
  for (const e of history) {
    if (e.k === 'show') {
      const ks = `${e.t}|${e.d}`;
      shown.set(ks, (shown.get(ks) ?? 0) + 1);
      if (e.exp && e.at > Date.parse(e.exp) + expirySlackMs)
        v.lateDelivery.push(`${e.t} showed ${e.m} ${e.at - Date.parse(e.exp)} ms after expiry`);
    } else if (e.k === 'ack' || e.k === 'cack') {
      const d = directives.get(e.d);
      // past the expiry the hub refuses 签收 by design, judged by when it arrives: a terminal's
      // 签收 the broker took (PUBACK) after it does not count; a console was answered ok or not
      if (e.k === 'ack' && d?.expires != null && e.at >= d.expires - 1000) continue;
      acksSent.set(key(e.d, e.s), e.k);
    }
  }

  // escalation steps per recipient, from the audit (its seq orders them)
  const steps = new Map();
  const ackAudits = new Map();
  for (const a of await query(
    `SELECT action, subject_id AS d, data->>'siteId' AS s, (data->>'escalationLevel')::int AS level,
            extract(epoch FROM at) * 1000 AS at
     FROM audit_log WHERE action IN ('directive.escalate', 'directive.ack') ORDER BY seq`,
  )) {
    const k = key(a.d, a.s);
    if (a.action === 'directive.ack') ackAudits.set(k, (ackAudits.get(k) ?? 0) + 1);
    else (steps.get(k) ?? steps.set(k, []).get(k)).push({ level: a.level, at: Number(a.at) });
  }
  const ackEvents = new Map(
    (
      await query(
        `SELECT directive_id AS d, site_id AS s, count(*)::int AS n FROM directive_events
         WHERE to_state = 'acknowledged' GROUP BY 1, 2`,
      )
    ).map((r) => [key(r.d, r.s), r.n]),
  );

  for (const [k, r] of recipients) {
    const acked = ['acknowledged', 'completed'].includes(r.state);
    const events = ackEvents.get(k) ?? 0;
    const audits = ackAudits.get(k) ?? 0;
    if (events > 1 || audits > 1) v.ackTwice.push(`${k}: ${events} events, ${audits} audit entries`);
    if (acked && (events === 0 || audits === 0)) v.ackLost.push(`${k} acknowledged without its record`);
    if (acksSent.has(k) && !acked && directives.get(r.d).status !== 'cancelled')
      v.ackLost.push(
        `${k}: ${acksSent.get(k) === 'cack' ? 'console told ok' : 'terminal 签收 PUBACKed'}, state ${r.state}`,
      );
    const s = steps.get(k) ?? [];
    const levels = s.map((x) => x.level);
    if (new Set(levels).size !== levels.length) v.escalationTwice.push(`${k}: levels ${levels.join(',')}`);
    else if (levels.some((l, i) => l !== i + 1) || levels.length !== r.level)
      v.escalationSkipped.push(`${k}: audited levels ${levels.join(',') || '-'}, recipient at ${r.level}`);
    if (r.acked != null && s.some((x) => x.at > Number(r.acked) + 1000))
      v.escalatedAfterAck.push(`${k}: a step ${s.map((x) => Math.round(x.at - r.acked)).join(',')} ms after`);
  }

  // every terminal of every target site shows every directive that did not expire, and as
  // often as it was sent: once, plus one for each re-delivery step of its site
  const bySite = new Map();
  for (const t of terminals) (bySite.get(t.siteId) ?? bySite.set(t.siteId, []).get(t.siteId)).push(t.id);
  for (const [k, r] of recipients) {
    const d = directives.get(r.d);
    if (d.status === 'cancelled') continue;
    const redeliveries = (steps.get(k) ?? []).filter((x) => x.level === 1).length;
    for (const t of bySite.get(r.s) ?? []) {
      const n = shown.get(`${t}|${r.d}`) ?? 0;
      if (n === 0 && (d.expires == null || d.expires > now))
        v.terminalMissed.push(`${t} never showed ${r.d}`);
      if (n > 1 + redeliveries)
        v.shownTwice.push(`${t} showed ${r.d} ${n} times (${redeliveries} re-deliveries)`);
    }
  }

  const audit = await verifyAudit();
  if (!audit.ok) v.audit.push(JSON.stringify(audit).slice(0, 300));
  return { violations: v, directives, recipients };
}
