import { ApiError, errorText } from '../../lib/api.js';
import type { MessageKey } from '../../i18n/index.js';

/** A refusal in the user's language: the drill's own cases first, then the console's general text. */
export function drillErrorText(err: unknown, t: (k: MessageKey) => string): string {
  if (err instanceof ApiError) {
    if (err.status === 422) return t('drill.err.outside');
    if (err.status === 409) return t('drill.err.ended');
    if (err.status === 403 && err.facts?.fields?.some((f) => f.path === 'siteIds'))
      return t('drill.err.scope');
    if (err.status === 404 && err.facts?.path?.startsWith('/drills')) return t('drill.err.notFound');
  }
  return errorText(err);
}
