import type { CONSOLE_CONSULT_EVENTS, DIRECTIVE_EVENTS } from '#contracts';

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
  escalatedHere: 'directive.escalated',
  boardSubscribe: 'directive.board.subscribe',
  boardUnsubscribe: 'directive.board.unsubscribe',
  board: 'directive.board',
  issued: 'directive.issued',
  expiry: 'directive.expiry',
} as const satisfies typeof DIRECTIVE_EVENTS;

/** The consultation invitation on the console's socket (contracts CONSOLE_CONSULT_EVENTS). */
export const CONSULT_EV = {
  invitation: 'consultation.invitation',
} as const satisfies typeof CONSOLE_CONSULT_EVENTS;
