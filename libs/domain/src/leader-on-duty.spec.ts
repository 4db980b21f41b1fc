import { describe, expect, it } from '@jest/globals';
import { leaderOnDutyDenial } from './leader-on-duty.js';

describe('leader on duty rules', () => {
  it('takes an enabled user of the site itself', () => {
    expect(leaderOnDutyDenial('s', 'u', { siteId: 's', disabled: false })).toBeNull();
    const missing = {
      code: 'invalid',
      message: 'userId: user u does not exist',
      fields: [{ path: 'userId', message: 'no such user' }],
    };
    expect(leaderOnDutyDenial('s', 'u', null)).toEqual(missing);
    expect(leaderOnDutyDenial('s', 'u', { siteId: 's', disabled: true })).toEqual(missing);
    expect(leaderOnDutyDenial('s', 'u', { siteId: 't', disabled: false })).toEqual({
      code: 'invalid',
      message: 'userId: user u does not belong to site s',
      fields: [{ path: 'userId', message: 'the leader on duty must belong to the site' }],
    });
  });
});
