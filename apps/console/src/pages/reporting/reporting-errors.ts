import type { RepKey } from '../../i18n/reporting.js';
import { ApiError, errorText } from '../../lib/api.js';

/** 信息报送's own refusals, by a stable fragment of the server's message (docs/reporting.md). */
const MESSAGES: [RegExp, RepKey][] = [
  [/learnedAt must not be before occurredAt/i, 'errLearnedBeforeOccurred'],
  [/must not be in the future/i, 'errFuture'],
  [/has no daily report round/i, 'errNoRound'],
  [/signed off already/i, 'errAlreadySigned'],
  [/a phone report is not signed off/i, 'errNotWritten'],
  [/closed by its signed/i, 'errClosed'],
  [/leader on duty or a commander signs/i, 'errSignForbidden'],
  [/only commanders record a concealment/i, 'errConcealForbidden'],
  [/only commanders change the reporting rules/i, 'errRulesForbidden'],
  [/already names some of these sites/i, 'errRoundExists'],
  [/no township in your scope/i, 'errNoTownship'],
  [/belongs to another site/i, 'errOtherSite'],
];

export function reportingErrorText(err: unknown, r: (k: RepKey) => string): string {
  if (err instanceof ApiError) {
    for (const [re, key] of MESSAGES) if (re.test(err.message)) return r(key);
  }
  return errorText(err);
}
