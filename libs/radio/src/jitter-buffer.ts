import type { RtpPacket } from './rtp.js';

/** 600 ms: the largest buffer the field uses (EchoLink); more would break the 300 ms mouth-to-ear goal outright */
const HARD_CAP_MS = 600;

/** packets in a row outside the window before the buffer follows the sender to its new sequence */
const RESYNC_AFTER = 5;

/** a − b on the 16-bit sequence circle, in −32768..32767 */
function seqDiff(a: number, b: number): number {
  return ((a - b + 0x8000) & 0xffff) - 0x8000;
}

/**
 * Playout by RTP sequence with a fixed target delay, bounded.
 *
 * - Playout starts `targetMs` after the first packet arrives, from the lowest sequence held
 *   (so packets reordered during that wait still play in order).
 * - Each pop() plays the next sequence or, when it is missing, returns null (a gap) and
 *   moves on; a packet behind the playout point is late and dropped.
 * - When the buffer runs dry (the talk spurt ended, or a long loss), playout pauses and
 *   waits `targetMs` again from the next arrival instead of racing ahead through silence:
 *   RTP senders keep the sequence running across silence, so the next spurt carries on.
 * - A jump of more than the buffer's size either way, or a new SSRC, is a new stream
 *   (a gateway restarted): the buffer starts over with it.
 * - Held more than twice the target (a burst after a stall), each pop() drops one extra
 *   frame, so the delay comes back to the target instead of staying high for the whole
 *   transmission.
 */
export class JitterBuffer {
  private readonly targetFrames: number;
  private readonly capFrames: number;
  private readonly packets = new Map<number, Buffer>();
  private ssrc: number | null = null;
  /** next sequence to play; null before the stream's first playout */
  private next: number | null = null;
  /** when the first packet of the current fill arrived; null while playing */
  private fillingSince: number | null = null;
  private playing = false;
  /** packets refused in a row for falling outside the window */
  private misfits = 0;
  private readonly targetMs: number;

  constructor(o: { targetMs?: number; maxMs?: number; frameMs?: number } = {}) {
    const frameMs = o.frameMs ?? 20;
    if (!(frameMs > 0 && frameMs <= 1000))
      throw new RangeError(`jitter buffer frameMs out of range: ${frameMs}`);
    const maxMs = Math.min(HARD_CAP_MS, Math.max(frameMs, o.maxMs ?? HARD_CAP_MS));
    const targetMs = Math.min(maxMs, Math.max(0, o.targetMs ?? 60));
    this.targetFrames = Math.round(targetMs / frameMs);
    this.capFrames = Math.max(1, Math.floor(maxMs / frameMs));
    this.targetMs = targetMs;
  }

  get depth(): number {
    return this.packets.size;
  }

  /** false when dropped (too late, duplicate, or buffer full) */
  push(p: RtpPacket, nowMs: number): boolean {
    if (this.ssrc !== null && p.ssrc !== this.ssrc) this.reset();
    this.ssrc = p.ssrc;
    const fits = this.fits(p.sequence);
    if (fits === 'resync' || (!fits && ++this.misfits >= RESYNC_AFTER)) {
      this.resync();
    } else if (!fits) {
      return false;
    }
    if (this.packets.has(p.sequence) || this.packets.size >= this.capFrames) return false;
    this.misfits = 0;
    this.packets.set(p.sequence, p.payload);
    if (!this.playing && this.fillingSince === null) this.fillingSince = nowMs;
    return true;
  }

  /** call every frameMs: the next payload in order, or null for a gap (lost/late) or before the target delay filled */
  pop(nowMs: number): Buffer | null {
    if (!this.playing) {
      if (this.fillingSince === null || nowMs - this.fillingSince < this.targetMs) return null;
      this.playing = true;
      this.fillingSince = null;
      // from the lowest held: the packets before it (if any after a pause) were lost
      const lowest = this.lowest();
      if (this.next === null || seqDiff(lowest, this.next) > 0) this.next = lowest;
    }
    if (this.packets.size > 2 * Math.max(1, this.targetFrames)) this.take();
    const payload = this.take();
    if (this.packets.size === 0) this.playing = false;
    return payload;
  }

  reset(): void {
    this.resync();
    this.ssrc = null;
  }

  private resync(): void {
    this.packets.clear();
    this.next = null;
    this.fillingSince = null;
    this.playing = false;
    this.misfits = 0;
  }

  /**
   * Whether a sequence belongs in the window the buffer can hold: not behind the playout
   * point (late), not a buffer's size ahead of it. Far ahead while the buffer is dry means
   * the stream went on during a long loss: start over from it.
   */
  private fits(seq: number): boolean | 'resync' {
    if (this.next !== null) {
      const ahead = seqDiff(seq, this.next);
      if (ahead < 0) return false;
      if (ahead >= this.capFrames) return this.playing ? false : 'resync';
      return true;
    }
    return this.packets.size === 0 || Math.abs(seqDiff(seq, this.lowest())) < this.capFrames;
  }

  private take(): Buffer | null {
    const seq = this.next!;
    const payload = this.packets.get(seq) ?? null;
    this.packets.delete(seq);
    this.next = (seq + 1) & 0xffff;
    return payload;
  }

  /** the earliest sequence held, on the circle around any held one (they span < 2^15) */
  private lowest(): number {
    let lowest: number | null = null;
    for (const seq of this.packets.keys()) if (lowest === null || seqDiff(seq, lowest) < 0) lowest = seq;
    return lowest!;
  }
}
