import type { FieldIssue } from '#contracts';

export type DomainErrorCode =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  /** a request asking for more work than a configured limit allows (413) */
  | 'too_large'
  /** a radio talkgroup's floor is held at an equal or higher rank (409) */
  | 'radio_busy'
  /** well-formed, but it contradicts what it refers to, e.g. a site outside the drill's (422) */
  | 'unprocessable';

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
