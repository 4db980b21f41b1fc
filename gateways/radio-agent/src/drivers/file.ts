import { createReadStream, createWriteStream, readFileSync, statSync, type WriteStream } from 'node:fs';
import { PcmReader, pcmBytes } from './child.js';
import type { AudioDriver } from './types.js';

const FRAME_BYTES = 320;

/**
 * Raw S16_LE 8 kHz mono from a file or FIFO, and to one: for tests, simulation and radios
 * wired through another program (sox, ffmpeg). A FIFO is read as its writer paces it; a
 * regular file is played in real time (20 ms per frame) once, as a radio would hear it.
 */
export class FileAudio implements AudioDriver {
  private out: WriteStream | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stream: ReturnType<typeof createReadStream> | undefined;

  constructor(
    private readonly input: string,
    private readonly output: string,
  ) {}

  start(onCapture: (pcm: Int16Array) => void, onError: (message: string) => void): void {
    this.out = createWriteStream(this.output, { flags: 'a' });
    this.out.on('error', (err) => onError(`audio out ${this.output}: ${err.message}`));
    const reader = new PcmReader();
    let regular = false;
    try {
      regular = statSync(this.input).isFile();
    } catch (err) {
      return onError(`audio in ${this.input}: ${(err as Error).message}`);
    }
    if (!regular) {
      this.stream = createReadStream(this.input);
      this.stream.on('data', (chunk) => onCapture(reader.push(chunk as Buffer)));
      this.stream.on('error', (err) => onError(`audio in ${this.input}: ${err.message}`));
      return;
    }
    const data = readFileSync(this.input);
    let offset = 0;
    const started = Date.now();
    // paced by the clock, not by the timer's count: a late tick catches up
    this.timer = setInterval(() => {
      const due = Math.min(data.length, Math.floor((Date.now() - started) / 20 + 1) * FRAME_BYTES);
      if (due > offset) onCapture(reader.push(data.subarray(offset, due)));
      offset = due;
      if (offset >= data.length) clearInterval(this.timer);
    }, 20);
  }

  play(pcm: Int16Array): void {
    this.out?.write(pcmBytes(pcm));
  }

  stop(): void {
    clearInterval(this.timer);
    this.stream?.destroy();
    this.out?.end();
  }
}
