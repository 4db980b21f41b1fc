import type { DirectiveLevel, RECIPIENT_STATES, RecipientState } from '#contracts';
import type { MessageKey } from '../i18n/index.js';

export const LEVELS: DirectiveLevel[] = ['red', 'orange', 'yellow', 'blue'];

export const LEVEL_LABEL: Record<DirectiveLevel, MessageKey> = {
  red: 'levelRed',
  orange: 'levelOrange',
  yellow: 'levelYellow',
  blue: 'levelBlue',
};

export const STATE_LABEL: Record<RecipientState, MessageKey> = {
  pending: 'stPending',
  delivered: 'stDelivered',
  acknowledged: 'stAcknowledged',
  completed: 'stCompleted',
  expired: 'stExpired',
  failed: 'stFailed',
};

export const isAcked = (s: RecipientState) => s === 'acknowledged' || s === 'completed';

/** Browser-side copy of the contract's list (a value import would bring zod along). */
export const STATES = [
  'pending',
  'delivered',
  'acknowledged',
  'completed',
  'expired',
  'failed',
] as const satisfies typeof RECIPIENT_STATES;
