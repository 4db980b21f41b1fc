import { describe, expect, it } from '@jest/globals';
import { zh } from '../../i18n/zh.js';
import { ApiError } from '../../lib/api.js';
import { teamErrorText } from './team-errors.js';

const t = (k: keyof typeof zh) => zh[k];
const err = (status: number, message: string, fields?: { path: string; message: string }[]) =>
  new ApiError(status, message, { path: '/teams', fields });

describe('teamErrorText (zh-CN)', () => {
  it("says an import's line in Chinese, with the server's detail only when it is Chinese", () => {
    expect(
      teamErrorText(
        err(400, 'line 3: …', [{ path: 'line 3', message: '第3行：村级突击队人数不少于30人' }]),
        t,
      ),
    ).toBe('第 3 行有误，未导入任何数据：第3行：村级突击队人数不少于30人');
    expect(
      teamErrorText(
        err(400, 'line 2: …', [{ path: 'line 2', message: '第2行（队伍名称）：must not be empty' }]),
        t,
      ),
    ).toBe('第 2 行有误，未导入任何数据');
    expect(
      teamErrorText(err(400, 'line 1: …', [{ path: 'line 1', message: '第1行表头应为：队伍名称,…' }]), t),
    ).toBe('CSV 表头不正确，未导入任何数据');
  });
  it('names the rule or the field instead of the English message', () => {
    const shock = err(400, 'headcount: …', [
      { path: 'headcount', message: 'a village shock team (村级突击队) has at least 30 people' },
    ]);
    expect(teamErrorText(shock, t)).toBe('村级突击队人数不少于30人');
    expect(teamErrorText(err(409, 'team x (id) is unavailable and takes no alerts'), t)).toBe(
      '该队伍不可用，不能发送出动通知',
    );
    expect(
      teamErrorText(err(400, 'leaderPhone: …', [{ path: 'leaderPhone', message: 'must be 3-32 digits' }]), t),
    ).toBe('队长电话：格式不正确');
  });
});
