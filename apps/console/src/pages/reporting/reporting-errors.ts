import type { RepKey } from '../../i18n/reporting.js';
import { ApiError, errorText } from '../../lib/api.js';

/** 信息报送's own refusals, by a stable fragment of the server's message (docs/reporting.md). */
const MESSAGES: [RegExp, RepKey][] = [
  [/learnedAt must not be before occurredAt/i, 'errLearnedBeforeOccurred'],
  [/in the future/i, 'errFuture'],
  [/no round|no daily report round/i, 'errNoRound'],
  [/already signed/i, 'errAlreadySigned'],
  [/not a written report|phone report.*sign/i, 'errNotWritten'],
  [/closed/i, 'errClosed'],
];

export function reportingErrorText(err: unknown, r: (k: RepKey) => string): string {
  if (err instanceof ApiError) {
    for (const [re, key] of MESSAGES) if (re.test(err.message)) return r(key);
    if (err.status === 403 && /sign/.test(err.facts.path ?? '')) return r('errSignForbidden');
  }
  return errorText(err);
}
