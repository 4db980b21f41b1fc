import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { WavWriter } from '#radio';

/**
 * One transmission's WAV (A-law, 8 kHz), written as the packets arrive: WavWriter puts the
 * header first and patches sizes on close, so a hub killed mid-transmission leaves a file
 * that still plays up to the cut. Bounded: past `maxBytes` (the transmit timeout's worth)
 * further audio is dropped.
 */
export class TransmissionRecorder {
  private queue: Promise<unknown> = Promise.resolve();
  private bytes = 0;
  private writer: Promise<WavWriter | null>;

  constructor(
    readonly transmissionId: string,
    dataDir: string,
    readonly relativePath: string,
    private readonly maxBytes: number,
    private readonly logger: Logger,
  ) {
    const file = join(dataDir, relativePath);
    this.writer = (async () => {
      mkdirSync(dirname(file), { recursive: true });
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
