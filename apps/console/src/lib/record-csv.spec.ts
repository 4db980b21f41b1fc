import { describe, expect, it } from '@jest/globals';
import type { DirectiveRecipientView, DirectiveView, SiteView, TerminalView } from '#contracts';
import { zh, type MessageKey } from '../i18n/zh.js';
import { recipientRecordCsv, terminalsCsv } from './record-csv.js';

const t = (k: MessageKey) => zh[k];
const rows = (csv: string) =>
  csv
    .slice(1)
    .trimEnd()
    .split('\r\n')
    .map((l) => JSON.parse(`[${l}]`) as string[]);

const base: DirectiveRecipientView = {
  siteId: 's1',
  siteName: '青山镇',
  state: 'acknowledged',
  ackDeadline: '2026-12-06T06:02:00.000Z',
  deliveredAt: '2026-12-06T06:00:00.000Z',
  deliveredVia: 'console',
  acknowledgedAt: '2026-12-06T06:05:00.000Z',
  acknowledgedPressedAt: '2026-12-06T06:05:00.000Z',
  acknowledgedClockSkew: null,
  acknowledgedBy: 'u1',
  acknowledgedVia: 'on_behalf',
  acknowledgedOnBehalf: {
    method: 'phone',
    person: '王五',
    phone: '138 0000 0000',
    at: '2026-12-06T06:04:00.000Z',
    note: '=转达村委会',
  },
  completedAt: null,
  feedback: null,
  overdue: true,
  escalationLevel: 2,
};

describe('recipientRecordCsv', () => {
  it('writes a 代签收 row with method, person, phone, time and note, the formula neutralized', () => {
    const d = {
      serial: '县应急〔2026〕12号',
      title: '防汛',
      ackBy: '2026-12-06T06:02:00.000Z',
    } as DirectiveView;
    const sites = new Map([
      ['s1', { id: 's1', regionCode: '341122100', dutyPhone: '0551-1234567' } as SiteView],
    ]);
    const waiting: DirectiveRecipientView = {
      ...base,
      siteId: 's2',
      siteName: '翟镇',
      state: 'delivered',
      acknowledgedAt: null,
      acknowledgedPressedAt: null,
      acknowledgedBy: null,
      acknowledgedVia: null,
      acknowledgedOnBehalf: null,
      overdue: false,
      escalationLevel: 0,
    };
    // added by a warning's widened area at 06:30: its own deadline is later, not yet passed
    const added: DirectiveRecipientView = {
      ...waiting,
      siteId: 's3',
      ackDeadline: '2026-12-06T07:30:00.000Z',
    };
    const csv = recipientRecordCsv(d, [base, waiting, added], {
      t,
      sites,
      userName: (id) => (id === 'u1' ? '李调度' : '?'),
      now: Date.parse('2026-12-06T07:00:00.000Z'),
    });
    const [head, onBehalf, late, addedRow] = rows(csv);
    expect(head!.slice(0, 6)).toEqual(['指令编号', '指令标题', '单位', '行政区划代码', '值班电话', '状态']);
    const col = (name: string) => head!.indexOf(name);
    expect(onBehalf![col('签收方式')]).toBe('代签收');
    expect(onBehalf![col('代签方式')]).toBe('电话');
    expect(onBehalf![col('代签人')]).toBe('王五');
    expect(onBehalf![col('代签人电话')]).toBe('138 0000 0000');
    expect(onBehalf![col('代签备注')]).toBe("'=转达村委会");
    expect(onBehalf![col('签收操作人')]).toBe('李调度');
    expect(onBehalf![col('值班电话')]).toBe('0551-1234567');
    expect(onBehalf![col('应答时间')]).toMatch(/^2026-12-06 \d\d:04:00$/);
    // past the deadline and still unsigned: overdue, though the server has not flagged it yet
    expect(late![col('超时')]).toBe('是');
    expect(late![col('状态')]).toBe(zh.stDelivered);
    expect(late![col('签收时间')]).toBe('');
    expect(addedRow![col('超时')]).toBe('否');
  });
});

describe('terminalsCsv', () => {
  it('names the kind, presence, link and what needs attention in Chinese', () => {
    const tm: TerminalView = {
      id: 't1',
      name: '青山镇终端',
      siteId: 's1',
      kind: 'push',
      talkgroup: null,
      revoked: false,
      presence: 'offline',
      telemetry: { battery: 8, power: 'battery', link: 'lte' },
      lastSeenAt: null,
      createdAt: '2026-12-06T06:00:00.000Z',
    };
    const [head, row] = rows(terminalsCsv([tm], () => '青山镇', t));
    expect(head).toEqual([
      '终端名称',
      '单位',
      '类型',
      '在线状态',
      '电量(%)',
      '供电',
      '链路',
      '最后在线',
      '需关注',
    ]);
    expect(row).toEqual([
      '青山镇终端',
      '青山镇',
      zh.kindPush,
      '离线',
      '8',
      zh.battery,
      zh['record.link.lte'],
      '',
      '离线、电量低',
    ]);
  });
});
