import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { RadioCodec } from '#contracts';
import { OggOpusWriter, WavWriter } from '#radio';

interface AudioWriter {
  write(payload: Buffer): Promise<void>;
  close(): Promise<{ bytes: number; durationMs: number }>;
}

/** the file a transmission on a talkgroup of this codec is recorded to, under DATA_DIR */
export function recordingPath(talkgroupId: string, transmissionId: string, codec: RadioCodec): string {
  return `radio/${talkgroupId}/${transmissionId}.${codec === 'opus' ? 'opus' : 'wav'}`;
}

/**
 * One transmission's recording, written as the packets arrive: a WAV (A-law, 8 kHz) whose
 * header goes first and is patched on close, or Ogg Opus with a page per packet; either
 * way a hub killed mid-transmission leaves a file that still plays up to the cut. Bounded:
 * past `maxBytes` (the transmit timeout's worth of A-law, more than Opus ever needs)
 * further audio is dropped.
 */
export class TransmissionRecorder {
  private queue: Promise<unknown> = Promise.resolve();
  private bytes = 0;
  private writer: Promise<AudioWriter | null>;

  constructor(
    readonly transmissionId: string,
    dataDir: string,
    readonly relativePath: string,
    private readonly maxBytes: number,
    private readonly logger: Logger,
    codec: RadioCodec = 'PCMA',
  ) {
    const file = join(dataDir, relativePath);
    this.writer = (async (): Promise<AudioWriter> => {
      mkdirSync(dirname(file), { recursive: true });
      if (codec === 'opus') return OggOpusWriter.open(file);
      return WavWriter.open(file, { format: 'alaw', sampleRate: 8000, channels: 1 });
    })().catch((err: unknown) => {
      this.logger.error({ err, transmissionId }, 'radio recording could not be opened');
      return null;
    });
  }

  write(payload: Buffer): void {
    if (this.bytes + payload.length > this.maxBytes) return;
    this.bytes += payload.length;
    const copy = Buffer.from(payload);
    this.queue = this.queue
      .then(async () => (await this.writer)?.write(copy))
      .catch((err: unknown) =>
        this.logger.warn({ err, transmissionId: this.transmissionId }, 'radio recording write failed'),
      );
  }

  async close(): Promise<{ bytes: number; durationMs: number }> {
    await this.queue;
    const w = await this.writer;
    if (!w) return { bytes: 0, durationMs: 0 };
    return w.close();
  }
}
