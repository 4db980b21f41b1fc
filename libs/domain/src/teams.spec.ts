import { describe, expect, it } from '@jest/globals';
import type { Actor } from './access-policy.js';
import {
  teamAlertDenial,
  teamAlertText,
  teamHeadcountDenial,
  teamStatus,
  teamWriteDenial,
  type TeamAlertFacts,
} from './teams.js';

const actor = (role: Actor['role'], sitePath = '/c/'): Actor => ({
  userId: 'u',
  role,
  siteId: 's',
  sitePath,
});
const alert = (recipientState: string, more: { released?: boolean; directiveStatus?: string } = {}) => ({
  released: more.released ?? false,
  directiveStatus: more.directiveStatus ?? 'issued',
  recipientState,
});

describe('teamHeadcountDenial', () => {
  it('asks at least 30 people of a village shock team (村级突击队), naming headcount', () => {
    expect(teamHeadcountDenial('village-shock', 29)).toMatchObject({
      code: 'invalid',
      fields: [{ path: 'headcount', message: expect.stringContaining('30') }],
    });
    expect(teamHeadcountDenial('village-shock', 30)).toBeNull();
    expect(teamHeadcountDenial('flood', 5)).toBeNull();
  });
});

describe('teamWriteDenial', () => {
  it('lets admins and commanders write within their subtree only', () => {
    expect(teamWriteDenial(actor('commander'), '/c/t/')).toBeNull();
    expect(teamWriteDenial(actor('admin', '/x/'), '/c/t/')).toBeNull();
    expect(teamWriteDenial(actor('commander'), '/other/')).toMatchObject({
      code: 'forbidden',
      fields: [{ path: 'siteId' }],
    });
    expect(teamWriteDenial(actor('dispatcher'), '/c/t/')).toMatchObject({ code: 'forbidden' });
    expect(teamWriteDenial(actor('duty_officer', '/c/t/'), '/c/t/')).toMatchObject({ code: 'forbidden' });
  });
});

describe('teamStatus', () => {
  it('follows the latest open alert: pending/delivered → alerted, 签收 → deployed, 反馈 → available', () => {
    expect(teamStatus({ base: 'available', alert: null })).toBe('available');
    expect(teamStatus({ base: 'available', alert: alert('pending') })).toBe('alerted');
    expect(teamStatus({ base: 'available', alert: alert('delivered') })).toBe('alerted');
    expect(teamStatus({ base: 'available', alert: alert('expired') })).toBe('alerted');
    expect(teamStatus({ base: 'available', alert: alert('acknowledged') })).toBe('deployed');
    expect(teamStatus({ base: 'available', alert: alert('completed') })).toBe('available');
  });
  it('is available once the alert is released or its directive cancelled; unavailable wins', () => {
    expect(teamStatus({ base: 'available', alert: alert('acknowledged', { released: true }) })).toBe(
      'available',
    );
    expect(teamStatus({ base: 'available', alert: alert('pending', { directiveStatus: 'cancelled' }) })).toBe(
      'available',
    );
    expect(teamStatus({ base: 'unavailable', alert: alert('acknowledged') })).toBe('unavailable');
  });
});

describe('teamAlertDenial', () => {
  it('refuses an unavailable team with 409, lets an alerted or deployed one be called again', () => {
    expect(teamAlertDenial({ id: 'x', name: '突击队', status: 'unavailable' })).toMatchObject({
      code: 'conflict',
    });
    expect(teamAlertDenial({ id: 'x', name: '突击队', status: 'deployed' })).toBeNull();
    expect(teamAlertDenial({ id: 'x', name: '突击队', status: 'available' })).toBeNull();
  });
});

describe('teamAlertText', () => {
  const t: TeamAlertFacts = {
    name: '溪口村应急突击队',
    kind: 'village-shock',
    siteName: '溪口村',
    leaderName: '李明',
    leaderPhone: '139 0000 0000',
    headcount: 32,
    assembleMinutes: 20,
  };
  it('names the team in title and body, by default and around a caller text', () => {
    const d = teamAlertText(t, {});
    expect(d.title).toBe('【溪口村应急突击队】应急出动通知');
    expect(d.body).toContain('溪口村溪口村应急突击队（村级应急突击队，队长李明 139 0000 0000，32人）');
    expect(d.body).toContain('20分钟内集结');
    expect(d.level).toBe('orange');
    const own = teamAlertText(t, { title: '转移群众', body: '立即转移', level: 'red' });
    expect(own).toEqual({
      title: '【溪口村应急突击队】转移群众',
      body: expect.stringMatching(/溪口村应急突击队.*\n立即转移$/s),
      level: 'red',
    });
    expect(teamAlertText(t, { title: '溪口村应急突击队集结' }).title).toBe('溪口村应急突击队集结');
  });
});
