import type { DirectiveLevel } from '#contracts';

/**
 * The duty-room alarm: beeps on WebAudio, repeated until every directive is 签收.
 * Red and orange are louder and faster. Browsers start an AudioContext only after a user
 * gesture, so `unlock()` is called from the login click or the duty page's full-screen
 * 「点击进入值守」 after a reload.
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
  /** how many link-lost tones have played since the page loaded (tests read it) */
  linkTones = 0;
  private listeners = new Set<() => void>();

  /** Calls `fn` whenever the sound switches on or off (the browser may suspend it). */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  get unlocked(): boolean {
    return this.ctx?.state === 'running';
  }

  unlock(): Promise<void> {
    if (!this.ctx) {
      this.ctx = new AudioContext();
      this.ctx.onstatechange = () => this.listeners.forEach((fn) => fn());
    }
    return this.ctx.resume();
  }

  /** A falling two-tone once: the link to the hub has dropped. */
  linkLost(): void {
    this.linkTones++;
    document.documentElement.dataset.linkTones = String(this.linkTones);
    this.play([520, 330], 0.8, 0.4);
  }

  /** invitation tones played since the page loaded (tests read `data-invite-tones`) */
  inviteTones = 0;

  /** A rising three-tone, unlike any alarm: a 视频会商 invitation has arrived. */
  invitation(): void {
    this.inviteTones++;
    document.documentElement.dataset.inviteTones = String(this.inviteTones);
    this.play([523, 659, 784], 0.6, 0.18);
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

  /** escalation chimes played since the page loaded (tests read it through the toast's data) */
  chimes = 0;

  /** One pattern, outside the repeating alarm: an escalation step on the dispatcher's board. */
  chime(level: DirectiveLevel): void {
    this.chimes++;
    this.beep(level);
  }

  private beep(level: DirectiveLevel): void {
    this.beeps++;
    const p = PATTERNS[level];
    this.play(p.tones, p.gain, 0.22);
  }

  private play(tones: number[], volume: number, length: number): void {
    const ctx = this.ctx;
    if (!ctx || ctx.state !== 'running') return;
    let t = ctx.currentTime;
    for (const freq of tones) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'square';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(volume, t);
      gain.gain.exponentialRampToValueAtTime(0.001, t + length);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t);
      osc.stop(t + length + 0.03);
      t += length + 0.06;
    }
  }
}

export const alarm = new Alarm();
