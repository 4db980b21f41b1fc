import { useI18n } from '../../i18n/index.js';
import { ApiError } from '../../lib/api.js';
import { isNetworkFailure } from './use-duty-inbox.js';

/**
 * What a duty officer reads for an error: a network failure (the browser's "Failed to
 * fetch", a socket timeout) becomes a sentence in their language, never the raw message.
 */
export function useErrorText(): (err: unknown) => string {
  const { t } = useI18n();
  return (err) =>
    isNetworkFailure(err)
      ? t('duty.netError')
      : err instanceof ApiError
        ? err.message
        : String(err instanceof Error ? err.message : err);
}
