import type { FieldIssue } from '#contracts';

export type DomainErrorCode =
  'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'rate_limited';

/**
 * An error the caller can act on. Services throw these; each edge (HTTP, Socket.IO, MQTT)
 * turns the code into its own kind of answer.
 */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly fields?: FieldIssue[],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}
