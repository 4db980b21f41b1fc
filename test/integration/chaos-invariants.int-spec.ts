import { describe, expect, it } from '@jest/globals';
// the chaos harness's checker (bench/chaos, plain ESM run by node): every invariant must be
// able to fail, or a green chaos run proves nothing
// @ts-expect-error no types for the harness's .mjs
import { checkInvariants, INVARIANTS } from '../../bench/chaos/invariants.mjs';

const D = '00000000-0000-4000-8000-00000000000d';
const S = '00000000-0000-4000-8000-000000000051';
const NOW = 1_800_000_000_000;
const ISSUED = NOW - 600_000;

interface World {
  directives: any[];
  recipients: any[];
  audit: any[];
  ackEvents: any[];
  history: any[];
  accepted: any[];
  auditOk: boolean;
}

/** one directive to one site with one terminal, shown, 签收 by the terminal, recorded once */
function healthy(): World {
  return {
    directives: [{ id: D, status: 'issued', issued: ISSUED, expires: null }],
    recipients: [{ d: D, s: S, state: 'acknowledged', level: 1, acked: ISSUED + 40_000, next: null }],
    audit: [
      { action: 'directive.escalate', d: D, s: S, level: 1, at: ISSUED + 30_000 },
      { action: 'directive.ack', d: D, s: S, level: null, at: ISSUED + 40_000 },
    ],
    ackEvents: [{ d: D, s: S, n: 1 }],
    history: [
      { k: 'show', t: 't1', s: S, m: 'm1', d: D, exp: null, at: ISSUED + 100 },
      { k: 'show', t: 't1', s: S, m: 'm2', d: D, exp: null, at: ISSUED + 30_100 },
      { k: 'ack', t: 't1', s: S, m: 'm2', d: D, sentAt: ISSUED + 39_000, at: ISSUED + 39_010 },
    ],
    accepted: [{ id: D }],
    auditOk: true,
  };
}

async function check(w: World): Promise<Record<string, string[]>> {
  const query = async (sql: string) => {
    if (sql.includes('FROM directives')) return w.directives;
    if (sql.includes('FROM directive_recipients')) return w.recipients;
    if (sql.includes('FROM audit_log')) return w.audit;
    if (sql.includes('FROM directive_events')) return w.ackEvents;
    throw new Error(`unexpected query ${sql}`);
  };
  const { violations } = await checkInvariants({
    query,
    history: w.history,
    accepted: w.accepted,
    terminals: [{ id: 't1', siteId: S }],
    verifyAudit: async () => ({ ok: w.auditOk }),
    expirySlackMs: 2000,
    now: NOW,
  });
  return violations;
}

const broken = (v: Record<string, string[]>) =>
  Object.entries(v)
    .filter(([, xs]) => xs.length)
    .map(([k]) => k);

describe('chaos invariants (bench/chaos/invariants.mjs)', () => {
  it('finds nothing wrong in a healthy history', async () => {
    expect(broken(await check(healthy()))).toEqual([]);
  });

  const cases: [string, (w: World) => void][] = [
    ['lost', (w) => w.accepted.push({ id: '00000000-0000-4000-8000-0000000000ff' })],
    ['unreached', (w) => Object.assign(w.recipients[0], { state: 'pending', acked: null, level: 1 })],
    ['terminalMissed', (w) => (w.history = w.history.filter((e) => e.k !== 'show'))],
    ['shownTwice', (w) => w.history.push({ ...w.history[0], m: 'm3' })],
    ['ackLost', (w) => Object.assign(w.recipients[0], { state: 'delivered', acked: null })],
    ['ackTwice', (w) => (w.ackEvents[0].n = 2)],
    ['escalationTwice', (w) => w.audit.unshift({ ...w.audit[0] })],
    ['escalationSkipped', (w) => (w.recipients[0].level = 2)],
    ['escalatedAfterAck', (w) => (w.audit[0].at = ISSUED + 45_000)],
    [
      'lateDelivery',
      (w) => {
        w.directives[0].expires = ISSUED + 60_000;
        w.history[1].exp = new Date(ISSUED + 20_000).toISOString();
      },
    ],
    ['audit', (w) => (w.auditOk = false)],
  ];

  it('has a case below for every invariant', () => {
    expect(cases.map(([k]) => k).sort()).toEqual(Object.keys(INVARIANTS).sort());
  });

  it('does not count a terminal 签收 the broker took only after the expiry (the hub refuses it by design)', async () => {
    const w = healthy();
    w.directives[0].expires = ISSUED + 38_000;
    Object.assign(w.recipients[0], { state: 'expired', acked: null });
    w.audit = w.audit.filter((a) => a.action !== 'directive.ack');
    w.ackEvents = [];
    // pressed before the expiry, PUBACKed after it (the link was down)
    Object.assign(w.history[2], { sentAt: ISSUED + 30_000, at: ISSUED + 50_000 });
    expect(broken(await check(w))).toEqual([]);
    // but one the broker took in time must be recorded
    w.history[2].at = ISSUED + 31_000;
    expect(broken(await check(w))).toEqual(['ackLost']);
  });

  it.each(cases)('reports %s', async (name, breakIt) => {
    const w = healthy();
    breakIt(w);
    expect(broken(await check(w))).toContain(name);
  });
});
