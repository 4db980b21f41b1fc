import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { AuditStore } from '#persistence';
import { AppConfig } from '../config/app-config.js';
import { LOGGER } from '../runtime.js';

/**
 * Writes the audit chain's signed head to DATA_DIR/audit-anchor.json and to the log every
 * AUDIT_ANCHOR_SECONDS (when it moved). What the database alone cannot show, a cut tail,
 * shows against it; the log line is a second copy an operator can ship elsewhere.
 */
@Injectable()
export class AuditAnchorWriter implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastRefusal = '';

  constructor(
    private readonly audit: AuditStore,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.tick(), this.config.raw.AUDIT_ANCHOR_SECONDS * 1000);
    this.timer.unref();
  }

  onApplicationBootstrap(): void {
    void this.tick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    // the last appends before a clean stop are anchored too
    await this.tick();
  }

  tick(): Promise<void> {
    this.running ??= this.anchor().finally(() => (this.running = undefined));
    return this.running;
  }

  private async anchor(): Promise<void> {
    try {
      const outcome = await this.audit.anchorHead();
      if (outcome.kind === 'anchored') {
        this.lastRefusal = '';
        this.logger.info({ auditHead: outcome.head }, 'audit head anchored');
      } else if (outcome.kind === 'refused') {
        const text = `#${outcome.seq}: ${outcome.reason}`;
        // once per distinct problem: the anchor stays where it was until someone looks
        if (text !== this.lastRefusal) {
          this.lastRefusal = text;
          this.logger.error(
            { brokenAt: { seq: outcome.seq, reason: outcome.reason } },
            'audit chain NOT anchored',
          );
        }
      }
    } catch (err) {
      this.logger.warn({ err }, 'audit head not anchored this time');
    }
  }
}
