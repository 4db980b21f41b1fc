import type { Logger } from 'pino';
import type { Actor } from '#domain';
import type { AuditStore } from '#persistence';
import type { CounterStore } from '../rate-limit/counter-store.js';

const WINDOW_SECONDS = 300;

/**
 * Records refusals (403) in the audit log: who tried what. One entry per user and route
 * per 5 minutes, since every append takes the chain's global lock and a script probing
 * 1,000 routes a second must not turn into 1,000 appends a second; the first refusal names
 * the attempt, the rest are in the HTTP metrics.
 */
export class DenialAudit {
  constructor(
    private readonly audit: AuditStore,
    private readonly counters: CounterStore,
    private readonly logger: Logger,
  ) {}

  record(actor: Actor | undefined, method: string, route: string, reason: string): void {
    if (!actor) return;
    const subject = `${method} ${route}`;
    this.counters
      .hit(`deny:${actor.userId}:${subject}`, WINDOW_SECONDS)
      .then(async ({ count }) => {
        if (count !== 1) return;
        await this.audit.append({
          actorId: actor.userId,
          action: 'access.denied',
          subjectType: 'route',
          subjectId: subject,
          data: { reason, role: actor.role, siteId: actor.siteId, windowSeconds: WINDOW_SECONDS },
        });
      })
      .catch((err: unknown) => this.logger.warn({ err }, 'audit of a refusal failed'));
  }
}
