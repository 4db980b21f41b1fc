/**
 * Socket.IO event names of 查岗, in a module of their own without zod: the console imports
 * them, and a value import from a module that builds schemas pulls zod into its first load.
 */
export const SPOT_CHECK_EVENTS = {
  /** server → a duty officer's console: `{checkId, deadline, drill}` */
  spotcheck: 'spotcheck',
  /** console → server: `{checkId}`; ack `{ok: true, ...SpotCheckAnswerView}` or `{ok: false, error}` */
  answer: 'spotcheck.answer',
  /** dispatcher → server: `{checkId}`; ack `{ok: true, check: SpotCheckView}`, then `targets` events */
  boardSubscribe: 'spotcheck.board.subscribe',
  boardUnsubscribe: 'spotcheck.board.unsubscribe',
  /** server → a board: `{checkId, targets: SpotCheckTargetUpdate[]}` (the targets that changed) */
  targets: 'spotcheck.targets',
  /** server → the parent site's consoles and the board: a site missed two checks in a row */
  escalation: 'spotcheck.escalation',
} as const;
