import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import type { CorDriver, PttDriver } from './types.js';
import { CM108_COR_PINS } from '../config.js';

/**
 * C-Media CM108/CM119 USB sound chips (most "radio interface" dongles) through Linux hidraw.
 * Output report (5 bytes with the report id): [0, 0, GPIO data, GPIO direction mask, 0];
 * GPIOn is bit n-1 (GPIO3, the usual PTT pin, is 0x04). Input reports carry the
 * volume/mute button pins in byte 0 (VOL_UP 0x01, VOL_DN 0x02, MUTE_PLAY 0x04,
 * MUTE_REC 0x08); interfaces wire the squelch output to one of them. (CM108 data sheet;
 * the same layout as svxlink's and direwolf's hidraw drivers.)
 */
export function cm108PttReport(pin: number, on: boolean, activeLow = false): Buffer {
  if (!Number.isInteger(pin) || pin < 1 || pin > 4) throw new RangeError('CM108 GPIO pin must be 1..4');
  const mask = 1 << (pin - 1);
  return Buffer.from([0, 0, on !== activeLow ? mask : 0, mask, 0]);
}

export const CM108_COR_MASK: Record<(typeof CM108_COR_PINS)[number], number> = {
  VOL_UP: 0x01,
  VOL_DN: 0x02,
  MUTE_PLAY: 0x04,
  MUTE_REC: 0x08,
};

/** the carrier in one input report, or null for a report too short to say */
export function cm108CorFromReport(report: Buffer, mask: number, activeLow = false): boolean | null {
  if (report.length < 1) return null;
  return ((report[0]! & mask) !== 0) !== activeLow;
}

export class Cm108Ptt implements PttDriver {
  private fd: number | undefined;

  constructor(
    private readonly hidraw: string,
    private readonly pin: number,
    private readonly activeLow: boolean,
    private readonly onError: (message: string) => void,
  ) {}

  set(on: boolean): void {
    try {
      // opened per write: a dongle unplugged and replugged gets the same path back
      this.fd ??= openSync(this.hidraw, 'w');
      writeSync(this.fd, cm108PttReport(this.pin, on, this.activeLow));
    } catch (err) {
      this.closeFd();
      this.onError(`cm108 ${this.hidraw}: ${(err as Error).message}`);
    }
  }

  private closeFd(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already gone with the device
    }
    this.fd = undefined;
  }

  stop(): void {
    this.set(false);
    this.closeFd();
  }
}

export class Cm108Cor implements CorDriver {
  private stream: ReturnType<typeof createReadStream> | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly hidraw: string,
    private readonly pin: (typeof CM108_COR_PINS)[number],
    private readonly activeLow: boolean,
  ) {}

  start(onCor: (up: boolean) => void, onError: (message: string) => void): void {
    let last: boolean | null = null;
    const open = () => {
      if (this.stopped) return;
      const stream = createReadStream(this.hidraw, { highWaterMark: 64 });
      this.stream = stream;
      stream.on('data', (chunk) => {
        const up = cm108CorFromReport(chunk as Buffer, CM108_COR_MASK[this.pin], this.activeLow);
        if (up === null || up === last) return;
        last = up;
        onCor(up);
      });
      stream.on('error', (err) => onError(`cm108 ${this.hidraw}: ${err.message}`));
      stream.on('close', () => {
        // unplugged: no carrier until it is back
        if (last) onCor((last = false));
        if (!this.stopped) this.timer = setTimeout(open, 2000);
      });
    };
    open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.stream?.destroy();
  }
}
