import { describe, expect, it } from '@jest/globals';
import type { TerminalView } from '#contracts';
import { zh } from '../../i18n/zh.js';
import { flagsOf, linkLabel, orderTerminals, siteTerminalTone } from './terminal-order.js';

const term = (id: string, over: Partial<TerminalView>): TerminalView => ({
  id,
  name: id,
  siteId: 's',
  kind: 'push',
  talkgroup: null,
  revoked: false,
  presence: 'online',
  telemetry: null,
  lastSeenAt: null,
  createdAt: '2026-12-06T00:00:00Z',
  ...over,
});

describe('terminals needing attention', () => {
  it('flags offline and low battery, and lists them first', () => {
    const list = [
      term('ok', { telemetry: { power: 'mains', battery: 90 } }),
      term('revoked', { revoked: true, presence: 'offline' }),
      term('low', { telemetry: { power: 'battery', battery: 8 } }),
      term('never', { presence: 'never' }),
      term('off', { presence: 'offline' }),
    ];
    expect(orderTerminals(list, () => '青山镇').map((t) => t.id)).toEqual([
      'off',
      'low',
      'never',
      'ok',
      'revoked',
    ]);
    expect(flagsOf(list[2]!)).toEqual(['lowBattery']);
    expect(flagsOf(term('edge', { telemetry: { battery: 20 } }))).toEqual([]);
    expect(flagsOf(list[1]!)).toEqual(['revoked']);
  });

  it('names links in Chinese', () => {
    const t = (k: keyof typeof zh) => zh[k];
    expect(['lan', 'lte', 'satellite', 'LTE', undefined].map((l) => linkLabel(l, t))).toEqual([
      '有线',
      '4G',
      '卫星',
      '4G',
      '—',
    ]);
  });
});

describe('siteTerminalTone', () => {
  const tm = (over: Partial<TerminalView>): TerminalView => ({
    id: 'x',
    name: 'x',
    siteId: 's',
    kind: 'push',
    talkgroup: null,
    revoked: false,
    presence: 'online',
    telemetry: null,
    lastSeenAt: null,
    createdAt: '2026-12-06T00:00:00.000Z',
    ...over,
  });
  it('is red for any offline terminal, orange for a low battery, green when all are online, grey with none', () => {
    expect(siteTerminalTone([tm({}), tm({ presence: 'offline' })])).toEqual({
      tone: 'alert',
      key: 'offline',
    });
    expect(siteTerminalTone([tm({ telemetry: { battery: 8 } })])).toEqual({
      tone: 'warn',
      key: 'record.term.lowBattery',
    });
    expect(siteTerminalTone([tm({})])).toEqual({ tone: 'ok', key: 'online' });
    expect(siteTerminalTone([tm({ revoked: true, presence: 'offline' })])).toEqual({
      tone: 'idle',
      key: 'map.noTerminal',
    });
  });
});
