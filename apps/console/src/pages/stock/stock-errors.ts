import { ApiError, errorText } from '../../lib/api.js';
import type { MessageKey } from '../../i18n/index.js';

const CJK = /[\u4e00-\u9fff]/;

/**
 * A refusal in the user's language. The item code rule and CSV import messages are written
 * in Chinese by the server (they name the rule, the line and the column), so they are shown
 * as they come; the rest goes through the console's general text.
 */
export function stockErrorText(err: unknown, t: (k: MessageKey) => string, lang: string): string {
  if (err instanceof ApiError && lang !== 'en') {
    const field = err.facts?.fields?.find((f) => CJK.test(f.message));
    if (err.status === 409 && err.facts?.path === '/stock/dispatches')
      return `${t('stock.err.short')}：${field?.message ?? ''}`;
    if (err.status === 409 && err.facts?.path?.startsWith('/depots')) return t('stock.err.twice');
    if (err.status === 409 && err.facts?.path === '/experts/invitations') return t('expert.err.ended');
    if (err.status === 400 && CJK.test(err.message)) return err.message.replace(/^code: /, '');
    if (field) return field.message;
  }
  return errorText(err);
}
