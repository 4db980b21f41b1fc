import type { DIRECTIVE_EVENTS } from '#contracts';

/**
 * The Socket.IO event names, as a browser-side copy: importing the contracts' value would
 * pull zod into the bundle. `satisfies` makes the compiler hold it to the contract.
 */
export const EV = {
  directive: 'directive',
  ack: 'directive.ack',
  update: 'directive.update',
  cancelled: 'directive.cancelled',
  escalation: 'directive.escalation',
  boardSubscribe: 'directive.board.subscribe',
  boardUnsubscribe: 'directive.board.unsubscribe',
  board: 'directive.board',
} as const satisfies typeof DIRECTIVE_EVENTS;
