import type { Logger } from 'pino';
import type { z } from 'zod';
import { DomainError } from '../http/domain-error.js';
import { parseEvent } from './event-input.js';

/** What every Socket.IO event answers through its ack. */
export type EventAnswer<T extends object = object> = ({ ok: true } & T) | { ok: false; error: string };

/** A failure as the client sees it: a DomainError's message, anything else "internal error". */
export function eventFailure(err: unknown): { ok: false; error: string } {
  if (err instanceof DomainError) return { ok: false, error: err.message };
  return { ok: false, error: 'internal error' };
}

/**
 * The one shape of a Socket.IO handler: parse the payload with its contract schema, act,
 * and answer. A DomainError is the client's to read; anything else is logged once here and
 * answered "internal error", so nothing a client sends can throw out of a handler.
 */
export class EventHandler {
  /** `what` names the namespace in the log line of an unexpected failure */
  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  async run<S extends z.ZodType, T extends object>(
    schema: S,
    body: unknown,
    act: (data: z.infer<S>) => Promise<T>,
  ): Promise<EventAnswer<T>> {
    const parsed = parseEvent(schema, body);
    if (!parsed.ok) return parsed;
    try {
      return { ok: true, ...(await act(parsed.data)) };
    } catch (err) {
      if (!(err instanceof DomainError))
        this.logger.error({ err, event: this.what }, `${this.what} event failed`);
      return eventFailure(err);
    }
  }
}
