import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import {
  SPOT_CHECK_EVENTS,
  type SpotCheckEscalationPayload,
  type SpotCheckPushPayload,
  type SpotCheckTargetUpdate,
} from '#contracts';
import { LOGGER } from '#platform';
import { TerminalOutbox } from '#terminals';
import { RealtimeServer, siteRoom } from '../../directives/shared/realtime.js';
import type { SpotCheckRow } from './spot-checks.repository.js';

export const spotCheckBoardRoom = (checkId: string) => `spotcheck:${checkId}`;

/** What a terminal shows for a check: the device contract's directive message, unchanged. */
export const TERMINAL_TITLE = '查岗';
const terminalBody = (drill: boolean) =>
  `${drill ? '【演练】' : ''}查岗：请值班人员在时限内按签收键确认在岗。`;

/**
 * Puts a check in front of the sites: consoles by Socket.IO (through the adapter, every
 * instance's sockets), terminals through their outbox as a message on `directives` whose
 * 签收 is the answer. Video has nothing to send: the county calls the roll in its
 * consultation, and a roll-call answer arrives as a job (SpotCheckAnswers).
 */
@Injectable()
export class SpotCheckDelivery {
  constructor(
    private readonly realtime: RealtimeServer,
    private readonly outbox: TerminalOutbox,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async deliver(check: SpotCheckRow, siteIds: string[]): Promise<void> {
    if (check.channels.includes('console')) this.toConsoles(check, siteIds);
    if (check.channels.includes('terminal')) await this.toTerminals(check, siteIds);
  }

  /** One site's consoles (a console that connects while the check is open). */
  payload(check: { id: string; deadline: Date; drill: boolean }): SpotCheckPushPayload {
    return { checkId: check.id, deadline: check.deadline.toISOString(), drill: check.drill };
  }

  private toConsoles(check: SpotCheckRow, siteIds: string[]): void {
    if (!this.realtime.ready) return;
    // one emit to every site's room: the adapter sends each socket the packet once
    this.realtime.io.to(siteIds.map(siteRoom)).emit(SPOT_CHECK_EVENTS.spotcheck, this.payload(check));
  }

  /**
   * The terminal's own deadline is the check's: past it the outbox expires the message, so
   * a terminal that comes online later is not asked any more.
   */
  private async toTerminals(check: SpotCheckRow, siteIds: string[]): Promise<void> {
    try {
      const added = await this.outbox.enqueue(
        {
          directiveId: check.id,
          serial: `查岗-${check.id.slice(0, 8)}`,
          title: TERMINAL_TITLE,
          body: terminalBody(check.drill),
          level: 'none',
          issuedAt: check.created_at,
          expiresAt: check.deadline,
          drill: check.drill,
        },
        siteIds,
        { kind: 'push', sourceId: check.id },
      );
      // every bridge (this process's too) reads the queued rows and sends them
      if (added) await this.outbox.notify(check.id);
    } catch (err) {
      // the check stands without its terminals: the sites can still answer on a console
      this.logger.error({ err, checkId: check.id }, 'spot check: queueing terminal messages failed');
    }
  }

  targetsChanged(checkId: string, targets: SpotCheckTargetUpdate[]): void {
    if (!this.realtime.ready || !targets.length) return;
    this.realtime.io.to(spotCheckBoardRoom(checkId)).emit(SPOT_CHECK_EVENTS.targets, { checkId, targets });
  }

  escalated(payload: SpotCheckEscalationPayload): void {
    if (!this.realtime.ready) return;
    this.realtime.io
      .to([siteRoom(payload.parentSiteId), spotCheckBoardRoom(payload.checkId)])
      .emit(SPOT_CHECK_EVENTS.escalation, payload);
  }
}
