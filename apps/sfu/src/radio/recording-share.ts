import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig, EventBus, LOGGER } from '#platform';
import { TalkgroupsRepository } from './talkgroups.repository.js';

/** bus channels: a request for a recording, and the answer on the requester's own channel */
export const RECORDING_BUS = {
  want: 'radio.recording.want',
  have: (requestId: string) => `radio.recording.have.${requestId}`,
};

interface RecordingWant {
  requestId: string;
  transmissionId: string;
  from: string;
}

interface RecordingHave {
  from: string;
  contentType: string;
  /** the whole file, base64 */
  data: string;
}

/** how long a requester waits for the instance holding the file */
const WAIT_MS = 3000;
/** a recording is at most RADIO_TOT_SECONDS (≤ 600) + 1 s of A-law: ~4.8 MB; anything above is refused */
const MAX_FILE_BYTES = 8 * 1024 * 1024;

export const recordingType = (file: string) =>
  file.endsWith('.opus') ? 'audio/ogg; codecs=opus' : 'audio/wav';

/**
 * A recording is written on the disk of the instance that hosted its talkgroup. Without this,
 * the audio URL answered 404 on every other instance unless DATA_DIR was shared. Now an
 * instance that does not find the file asks the others over the bus (Redis, where every
 * instance already trusts every message); the one holding it answers with the bytes on a
 * channel only the requester listens to. The answering instance resolves the path from the
 * row itself, so a request names a transmission, never a path.
 */
@Injectable()
export class RecordingShare implements OnApplicationBootstrap, OnApplicationShutdown {
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly bus: EventBus,
    private readonly repo: TalkgroupsRepository,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** only a shared bus reaches other instances; in process there is nobody to ask */
  private get clustered(): boolean {
    return this.bus.driver !== 'in-process';
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.clustered) return;
    this.unsubscribe = await this.bus.subscribe<RecordingWant>(RECORDING_BUS.want, (m) => {
      if (m.from === this.config.instanceId) return;
      this.answer(m).catch((err: unknown) =>
        this.logger.warn({ err, transmissionId: m.transmissionId }, 'radio recording not shared'),
      );
    });
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  /** The file under DATA_DIR for a stored audio path, or null when it is outside or absent here. */
  localFile(audioPath: string): string | null {
    const file = resolve(this.config.dataDir, audioPath);
    const rel = relative(this.config.dataDir, file);
    if (rel.startsWith('..') || isAbsolute(rel) || !existsSync(file)) return null;
    return file;
  }

  private async answer(m: RecordingWant): Promise<void> {
    if (typeof m.transmissionId !== 'string' || typeof m.requestId !== 'string') return;
    const row = await this.repo.transmission(m.transmissionId);
    const file = row?.audio_path ? this.localFile(row.audio_path) : null;
    if (!file) return;
    if ((await stat(file)).size > MAX_FILE_BYTES) return;
    const data = (await readFile(file)).toString('base64');
    await this.bus.publish<RecordingHave>(RECORDING_BUS.have(m.requestId), {
      from: this.config.instanceId,
      contentType: recordingType(file),
      data,
    });
  }

  /** The recording from whichever other instance holds it; null if none answers in time. */
  async fetch(transmissionId: string): Promise<{ body: Buffer; contentType: string } | null> {
    if (!this.clustered) return null;
    const requestId = randomUUID();
    let done: (v: RecordingHave | null) => void = () => undefined;
    const answered = new Promise<RecordingHave | null>((r) => (done = r));
    const off = await this.bus.subscribe<RecordingHave>(RECORDING_BUS.have(requestId), (m) => done(m));
    const timer = setTimeout(() => done(null), WAIT_MS);
    try {
      await this.bus.publish<RecordingWant>(RECORDING_BUS.want, {
        requestId,
        transmissionId,
        from: this.config.instanceId,
      });
      const have = await answered;
      return have ? { body: Buffer.from(have.data, 'base64'), contentType: have.contentType } : null;
    } finally {
      clearTimeout(timer);
      off();
    }
  }
}
