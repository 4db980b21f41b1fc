import { describe, expect, it } from '@jest/globals';
import { enReporting } from '../../i18n/en-reporting.js';
import { zhReporting, type RepKey } from '../../i18n/zh-reporting.js';
import { ApiError } from '../../lib/api.js';
import { reportingErrorText } from './reporting-errors.js';

const zh = (k: RepKey) => zhReporting[k];
const refusal = (status: number, message: string, path = '/incidents') =>
  new ApiError(status, message, { path, code: status === 403 ? 'forbidden' : 'invalid' });

describe('reportingErrorText', () => {
  it("says the server's 信息报送 refusals in Chinese", () => {
    expect(reportingErrorText(refusal(400, 'learnedAt: learnedAt must not be in the future'), zh)).toBe(
      '时间不能晚于现在',
    );
    expect(reportingErrorText(refusal(400, 'learnedAt must not be before occurredAt'), zh)).toBe(
      '接报时间不能早于发生时间',
    );
    expect(
      reportingErrorText(
        refusal(
          403,
          "only the site's leader on duty or a commander signs a report off",
          '/incidents/x/reports/y/sign',
        ),
        zh,
      ),
    ).toBe('只有本乡镇带班领导或指挥长可以签发');
    expect(reportingErrorText(refusal(404, 'site s has no daily report round for 2026-12-07'), zh)).toBe(
      '该日期尚未开启报送轮次',
    );
    expect(reportingErrorText(refusal(409, 'this report is signed off already'), zh)).toBe('该报告已签发');
  });
  it('leaves any other refusal to the console-wide translation, never the English message', () => {
    const text = reportingErrorText(refusal(403, 'this site is outside your scope'), zh);
    expect(text).not.toMatch(/outside your scope/);
    expect(text).toMatch(/[\u4e00-\u9fff]/);
  });
  it('has an English text for every Chinese one', () => {
    expect(Object.keys(enReporting).sort()).toEqual(Object.keys(zhReporting).sort());
    expect(Object.values(enReporting).every((v) => v.length > 0)).toBe(true);
  });
});
