import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig, LOGGER } from '#platform';
import { TalkgroupsRepository } from './talkgroups.repository.js';

const EVERY_MS = 15 * 60_000;
const BATCH = 500;

/**
 * Bounds DATA_DIR/radio/: recordings past RADIO_RETENTION_DAYS go, then the oldest while the
 * total is over RADIO_RECORDINGS_MAX_MB. Rows stay (who talked when is kept; the audio is not).
 * Any instance may run it: deleting a file twice is harmless.
 */
@Injectable()
export class RadioRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly repo: TalkgroupsRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => void this.run().catch((err: unknown) => this.logger.error({ err }, 'radio retention failed')),
      EVERY_MS,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass; returns how many recordings it deleted. */
  async run(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const old = await this.repo.expiredAudio(this.config.raw.RADIO_RETENTION_DAYS, BATCH);
      if (!old.length) break;
      deleted += await this.drop(old);
    }
    const max = this.config.raw.RADIO_RECORDINGS_MAX_MB * 1024 * 1024;
    let total = await this.repo.audioBytes();
    while (total > max) {
      const oldest = await this.repo.oldestAudio(BATCH);
      if (!oldest.length) break;
      const take = [];
      for (const r of oldest) {
        if (total <= max) break;
        take.push(r);
        total -= r.bytes + 44;
      }
      deleted += await this.drop(take);
    }
    if (deleted) this.logger.info({ deleted }, 'radio recordings deleted by retention');
    return deleted;
  }

  private async drop(rows: { id: string; audio_path: string }[]): Promise<number> {
    for (const r of rows) rmSync(join(this.config.dataDir, r.audio_path), { force: true });
    await this.repo.dropAudio(rows.map((r) => r.id));
    return rows.length;
  }
}
