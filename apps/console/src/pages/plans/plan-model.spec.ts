import { describe, expect, it } from '@jest/globals';
import { ApiError } from '../../lib/api.js';
import { zh } from '../../i18n/zh.js';
import type { MessageKey } from '../../i18n/index.js';
import { blankAction, elapsedText, fill, levelText, planErrorText } from './plan-model.js';

const t = (k: MessageKey) => zh[k];

describe('plan page model', () => {
  it('writes levels with their numerals and the time since start in Chinese', () => {
    expect(levelText('III')).toBe('Ⅲ级');
    expect(elapsedText(65, t)).toBe('1 分 5 秒');
    expect(elapsedText(3 * 3600 + 120, t)).toBe('3 小时 2 分');
  });

  it('fills the counts into the sentence', () => {
    expect(fill(t('plan.counts'), { sent: 3, delivered: 2, acknowledged: 1, answered: 0 })).toBe(
      '发 3 / 达 2 / 签收 1 / 反馈 0',
    );
  });

  it('names the refused action in Chinese, not by its field path', () => {
    const err = new ApiError(403, 'levels[1].actions[2]: siteIds: outside your scope', {
      fields: [{ path: 'levels[1].actions[2].siteIds', message: 'outside your scope' }],
    });
    expect(planErrorText(err, t)).toBe('第2个级别第3项动作：所选单位、队伍或模板不在您的管辖范围内');
    const twice = new ApiError(409, 'already running', { path: '/api/v1/responses' });
    expect(planErrorText(twice, t)).toBe('该事件已启动同级别响应');
  });

  it('starts each kind of action blank but valid in shape', () => {
    expect(blankAction('duty')).toEqual({ kind: 'duty', siteIds: [], note: '' });
    expect(blankAction('directive')).toMatchObject({
      kind: 'directive',
      level: 'orange',
      targets: { siteIds: [] },
    });
  });
});
