import type { AudioDriver, CorDriver, PttDriver } from './types.js';

export interface Heard {
  /** Date.now() when this PCM would leave the radio's speaker-side (its play-out time) */
  at: number;
  pcm: Int16Array;
}

/**
 * In-process audio for the simulator and tests: `capture()` is what the radio receives;
 * what the agent plays is kept with the time a sound card would play it (a card plays a
 * burst written at once back to back, so a chunk starts when the previous one ends).
 */
export class MemoryAudio implements AudioDriver {
  readonly heard: Heard[] = [];
  private onCapture: ((pcm: Int16Array) => void) | undefined;
  private playedUntil = 0;
  private readonly listeners: ((h: Heard) => void)[] = [];
  /** bound what a long simulation keeps */
  maxHeard = 50 * 600;

  start(onCapture: (pcm: Int16Array) => void): void {
    this.onCapture = onCapture;
  }

  capture(pcm: Int16Array): void {
    this.onCapture?.(pcm);
  }

  play(pcm: Int16Array): void {
    const now = Date.now();
    const at = Math.max(now, this.playedUntil);
    this.playedUntil = at + (pcm.length / 8000) * 1000;
    const h = { at, pcm };
    this.heard.push(h);
    if (this.heard.length > this.maxHeard) this.heard.splice(0, this.heard.length - this.maxHeard);
    for (const l of this.listeners) l(h);
  }

  onPlay(listener: (h: Heard) => void): void {
    this.listeners.push(listener);
  }

  stop(): void {
    this.onCapture = undefined;
  }
}

export class MemoryPtt implements PttDriver {
  on = false;
  readonly history: { on: boolean; at: number }[] = [];

  set(on: boolean): void {
    if (on === this.on) return;
    this.on = on;
    this.history.push({ on, at: Date.now() });
  }

  stop(): void {
    this.set(false);
  }
}

export class MemoryCor implements CorDriver {
  private onCor: ((up: boolean) => void) | undefined;
  up = false;

  start(onCor: (up: boolean) => void): void {
    this.onCor = onCor;
  }

  set(up: boolean): void {
    if (up === this.up) return;
    this.up = up;
    this.onCor?.(up);
  }

  stop(): void {
    this.onCor = undefined;
  }
}
