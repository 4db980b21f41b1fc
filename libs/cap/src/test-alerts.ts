import { capIdentifier } from './identifier.js';
import { severityOfLevel } from './levels.js';
import type { CapAlert, CapInfo, WarningLevel } from './types.js';

/** Alerts the way the warnings workflow makes them, for the specs and the xmllint cross-check. */
export function sampleWarning(p: { level?: WarningLevel; seq?: number; headline?: string } = {}): CapAlert {
  const sent = new Date('2026-12-06T00:30:00Z');
  const level = p.level ?? 'orange';
  const zh: CapInfo = {
    language: 'zh-CN',
    category: ['Met'],
    event: '暴雨',
    urgency: 'Expected',
    severity: severityOfLevel(level),
    certainty: 'Likely',
    senderName: '城关县应急管理局',
    headline: p.headline ?? '城关县发布暴雨橙色预警',
    description: '预计未来6小时内城关镇降雨量将达50毫米以上。',
    instruction: '停止户外作业，低洼地区人员转移。',
    onset: new Date('2026-12-06T01:30:00Z'),
    expires: new Date('2026-12-06T13:30:00Z'),
    web: 'https://yihu.example.cn/warnings/1',
    contact: '0312-1234567',
    parameters: [{ valueName: 'level', value: level }],
    areas: [
      {
        areaDesc: '城关镇',
        polygons: ['38.87,115.46 38.90,115.52 38.84,115.55 38.87,115.46'],
        geocodes: [{ valueName: 'GB/T 2260', value: '130601' }],
      },
    ],
  };
  return {
    identifier: capIdentifier({ regionCode: '130600', at: sent, seq: p.seq ?? 1 }),
    sender: 'yihu@130600.example.cn',
    sent,
    status: 'Actual',
    msgType: 'Alert',
    scope: 'Public',
    references: [],
    info: [zh, { ...zh, language: 'en-US', event: 'Rainstorm', headline: 'Orange rainstorm warning' }],
  };
}
