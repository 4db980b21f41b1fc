import type { DirectiveLevel } from '#contracts';

/**
 * The duty-room alarm: beeps on WebAudio, repeated until every directive is 签收.
 * Red and orange are louder and faster. Browsers start an AudioContext only after a user
 * gesture, so `unlock()` is called from the login click (or the "enable sound" button).
 */
const PATTERNS: Record<DirectiveLevel, { gain: number; everyMs: number; tones: number[] }> = {
  red: { gain: 0.9, everyMs: 1200, tones: [880, 660, 880] },
  orange: { gain: 0.75, everyMs: 1500, tones: [780, 620] },
  yellow: { gain: 0.35, everyMs: 2500, tones: [600] },
  blue: { gain: 0.25, everyMs: 3000, tones: [520] },
};
const ORDER: DirectiveLevel[] = ['red', 'orange', 'yellow', 'blue'];

class Alarm {
  private ctx: AudioContext | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private level: DirectiveLevel | null = null;
  /** how many beep patterns have played since the page loaded (tests read it) */
  beeps = 0;

  get unlocked(): boolean {
    return this.ctx?.state === 'running';
  }

  unlock(): Promise<void> {
    this.ctx ??= new AudioContext();
    return this.ctx.resume();
  }

  /** Plays the pattern of the most severe open level, or stops when none is left. */
  set(levels: DirectiveLevel[]): void {
    const top = ORDER.find((l) => levels.includes(l)) ?? null;
    if (top === this.level) return;
    this.level = top;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    document.documentElement.dataset.alarm = top ?? 'off';
    if (!top) return;
    this.beep(top);
    this.timer = setInterval(() => this.beep(top), PATTERNS[top].everyMs);
  }

  private beep(level: DirectiveLevel): void {
    this.beeps++;
    const ctx = this.ctx;
    if (!ctx || ctx.state !== 'running') return;
    const p = PATTERNS[level];
    let t = ctx.currentTime;
    for (const freq of p.tones) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'square';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(p.gain, t);
      gain.gain.exponentialRampToValueAtTime(0.001, t + 0.22);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t);
      osc.stop(t + 0.25);
      t += 0.28;
    }
  }
}

export const alarm = new Alarm();
