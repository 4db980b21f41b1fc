import { describe, expect, it } from '@jest/globals';
import { escalationAudience, planEscalation } from './escalation-ladder.js';

describe('escalation ladder', () => {
  const now = new Date('2026-07-01T00:00:00Z');

  it('takes the next step for each due recipient and schedules the one after it', () => {
    const plan = planEscalation(
      [
        { siteId: 'a', escalationLevel: 0 },
        { siteId: 'b', escalationLevel: 2 },
      ],
      { level: 'red', ackWithinSeconds: 300 },
      now,
    );
    expect(plan.steps).toEqual([
      { siteId: 'a', step: 'redeliver', fromLevel: 0, newLevel: 1, nextAt: new Date('2026-07-01T00:02:00Z') },
      { siteId: 'b', step: 'escalate_parent', fromLevel: 2, newLevel: 3, nextAt: null },
    ]);
    expect(plan.finished).toEqual([]);
  });

  it('schedules nothing for a recipient past the last step', () => {
    const plan = planEscalation(
      [{ siteId: 'a', escalationLevel: 3 }],
      { level: 'blue', ackWithinSeconds: 60 },
      now,
    );
    expect(plan).toEqual({ steps: [], finished: ['a'] });
  });

  it('tells the issuer and the leader on duty at step 2, and notes a site without one', () => {
    expect(
      escalationAudience('notify_leader', { issuedBy: 'i', leaderId: 'l', sitePathIds: ['r', 's'] }),
    ).toEqual({
      users: ['i', 'l'],
      sites: [],
      noLeader: false,
    });
    expect(
      escalationAudience('notify_leader', { issuedBy: 'i', leaderId: null, sitePathIds: ['r', 's'] }),
    ).toEqual({
      users: ['i'],
      sites: [],
      noLeader: true,
    });
  });

  it("tells the issuer and the parent site's consoles at step 3, and only the board at step 1", () => {
    expect(
      escalationAudience('escalate_parent', { issuedBy: 'i', leaderId: 'l', sitePathIds: ['r', 'p', 's'] }),
    ).toEqual({ users: ['i'], sites: ['p'], noLeader: false });
    expect(
      escalationAudience('escalate_parent', { issuedBy: 'i', leaderId: null, sitePathIds: ['s'] }).sites,
    ).toEqual([]);
    expect(
      escalationAudience('redeliver', { issuedBy: 'i', leaderId: 'l', sitePathIds: ['r', 's'] }),
    ).toEqual({
      users: [],
      sites: [],
      noLeader: false,
    });
  });
});
