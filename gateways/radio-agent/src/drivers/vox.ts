import { rmsDbfs } from '#radio';
import type { CorDriver } from './types.js';
import type { VoxSettings } from '../config.js';

/**
 * Carrier from audio energy, for radios with no squelch output: the carrier rises after
 * `attackMs` of frames above the threshold and falls after `releaseMs` below it (the Icom
 * VE-PG4's 50/500 ms). Frame-driven, no timers: the time is the audio's own, so it behaves
 * the same in a test as on a board.
 */
export class VoxDetector {
  private above = 0;
  private below = 0;
  private up = false;

  constructor(
    private readonly settings: VoxSettings,
    private readonly frameMs = 20,
  ) {}

  get carrier(): boolean {
    return this.up;
  }

  /** feed one frame; returns the new carrier state when it changed, else null */
  push(frame: Int16Array): boolean | null {
    const loud = rmsDbfs(frame) >= this.settings.thresholdDbfs;
    if (loud) {
      this.above += this.frameMs;
      this.below = 0;
    } else {
      this.below += this.frameMs;
      this.above = 0;
    }
    if (!this.up && this.above >= this.settings.attackMs) return (this.up = true);
    if (this.up && this.below >= this.settings.releaseMs) return (this.up = false);
    return null;
  }
}

export class VoxCor implements CorDriver {
  private readonly detector: VoxDetector;
  private onCor: ((up: boolean) => void) | undefined;

  constructor(settings: VoxSettings) {
    this.detector = new VoxDetector(settings);
  }

  start(onCor: (up: boolean) => void): void {
    this.onCor = onCor;
  }

  audio(frame: Int16Array): void {
    const change = this.detector.push(frame);
    if (change !== null) this.onCor?.(change);
  }

  stop(): void {
    this.onCor = undefined;
  }
}
