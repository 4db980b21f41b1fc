import { describe, expect, it } from '@jest/globals';
import { TransportBudget } from './transport-budget.js';

describe('TransportBudget', () => {
  const budget = () => new TransportBudget({ perPeer: 2, perUser: 3, perConsultation: 4 });

  it('refuses past each limit with a message naming it, and a release frees the slot once', () => {
    const b = budget();
    const r1 = b.reserve('p1', 'u1', 'c1');
    b.reserve('p1', 'u1', 'c1');
    expect(() => b.reserve('p1', 'u1', 'c1')).toThrow('at most 2 transports per participant');
    b.reserve('p2', 'u1', 'c1');
    expect(() => b.reserve('p3', 'u1', 'c1')).toThrow(
      'at most 3 transports per user (SFU_TRANSPORTS_PER_USER)',
    );
    b.reserve('p4', 'u2', 'c1');
    expect(() => b.reserve('p5', 'u3', 'c1')).toThrow(
      'at most 4 transports per consultation (SFU_TRANSPORTS_PER_CONSULTATION)',
    );
    // another consultation has its own budget
    expect(() => b.reserve('p6', 'u3', 'c2')).not.toThrow();
    r1();
    r1();
    b.reserve('p1', 'u1', 'c1');
    expect(() => b.reserve('p1', 'u1', 'c1')).toThrow('at most 2 transports per participant');
  });
});
