/** at most this many digits in one event (the contract's limit) */
export const MAX_DTMF_DIGITS = 32;

/**
 * Digits keyed on a radio, collected into one code: sent when '#' ends it, after a pause
 * (3 s, the time a person takes between digits at most), or at 32 digits. So '0042#'
 * arrives as one `radio/events` message, not five.
 */
export class DtmfCollector {
  private digits = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly emit: (digits: string) => void,
    private readonly pauseMs = 3000,
  ) {}

  push(digit: string): void {
    clearTimeout(this.timer);
    this.digits += digit;
    if (digit === '#' || this.digits.length >= MAX_DTMF_DIGITS) return this.flush();
    this.timer = setTimeout(() => this.flush(), this.pauseMs);
    this.timer.unref();
  }

  flush(): void {
    clearTimeout(this.timer);
    const digits = this.digits;
    this.digits = '';
    if (digits) this.emit(digits);
  }
}
