/**
 * A start-up failure an operator can fix: the entry point prints its message as one line
 * and exits non-zero, without a stack trace.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}
