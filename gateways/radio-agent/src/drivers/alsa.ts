import { Child, PcmReader, pcmBytes } from './child.js';
import type { AudioDriver } from './types.js';

const FORMAT = ['-f', 'S16_LE', '-r', '8000', '-c', '1', '-t', 'raw'];

/**
 * The capture command: 20 ms periods and a 200 ms buffer keep what the radio hears moving
 * in small steps (arecord's default period is ~100 ms, which would cost that much latency).
 */
export function arecordArgs(device: string): string[] {
  return ['-q', '-D', device, ...FORMAT, '--period-time=20000', '--buffer-time=200000', '-'];
}

/** The playback command: a 200 ms buffer bounds how much can be late behind the stream. */
export function aplayArgs(device: string): string[] {
  return ['-q', '-D', device, ...FORMAT, '--period-time=20000', '--buffer-time=200000', '-'];
}

/** ALSA through alsa-utils' arecord and aplay (apt install alsa-utils), restarted if they exit. */
export class AlsaAudio implements AudioDriver {
  private capture: Child | undefined;
  private playback: Child | undefined;

  constructor(
    private readonly captureDevice: string,
    private readonly playbackDevice: string,
  ) {}

  start(onCapture: (pcm: Int16Array) => void, onError: (message: string) => void): void {
    const reader = new PcmReader();
    this.capture = new Child('arecord', arecordArgs(this.captureDevice), {
      onStdout: (chunk) => onCapture(reader.push(chunk)),
      onError,
      restart: true,
    });
    this.playback = new Child('aplay', aplayArgs(this.playbackDevice), {
      onError,
      stdin: true,
      restart: true,
    });
    this.capture.start();
    this.playback.start();
  }

  play(pcm: Int16Array): void {
    this.playback?.write(pcmBytes(pcm));
  }

  stop(): void {
    this.capture?.stop();
    this.playback?.stop();
  }
}
