import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { WARNING_EVENTS, type WarningChangedPayload, type WarningState } from '#contracts';
import { pathIds } from '#domain';
import { LOGGER } from '#platform';
import { RealtimeServer, siteRoom } from '../directives/shared/realtime.js';

/**
 * `warning.changed` to the consoles of the issuing site and every site above it (after the
 * step's commit), so lists and composers refresh; the REST answer is the record, this is a
 * hint (a console that missed it reads the list on reconnect).
 */
@Injectable()
export class WarningEvents {
  constructor(
    private readonly realtime: RealtimeServer,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  changed(w: { id: string; identifier: string; state: WarningState; issuerSitePath: string }): void {
    if (!this.realtime.ready) return;
    const payload: WarningChangedPayload = {
      id: w.id,
      identifier: w.identifier,
      state: w.state,
      at: new Date().toISOString(),
    };
    try {
      this.realtime.io.to(pathIds(w.issuerSitePath).map(siteRoom)).emit(WARNING_EVENTS.changed, payload);
    } catch (err) {
      this.logger.warn({ err, warningId: w.id }, 'warning.changed not emitted');
    }
  }
}
