/**
 * Duty's event names and lists the console uses, in a module of their own without zod: a
 * value import from a module that builds schemas pulls zod into the console's first load
 * (and zod's eval probe then trips the Content-Security-Policy).
 */
/** Socket.IO: an incoming officer has not confirmed a handover in time (to the leader on duty). */
export const DUTY_EVENTS = { handoverOverdue: 'duty.handover.overdue' } as const;

/** the kinds of a duty log entry */
export const DUTY_LOG_ENTRY_KINDS = ['call', 'document', 'instruction', 'handling', 'note'] as const;
