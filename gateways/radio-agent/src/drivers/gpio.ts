import type { GpioLine } from '../config.js';
import { Child, runOnce } from './child.js';
import type { CorDriver, InputDriver, PttDriver } from './types.js';

/*
 * GPIO through libgpiod's v1 command-line tools (Debian 12 `apt install gpiod`, 1.6.x).
 * libgpiod 2.x (Debian 13) changed the options; these command lines are for 1.6.
 */

const lowFlag = (g: GpioLine) => (g.activeLow ? ['--active-low'] : []);

/** where the libgpiod tools are (names on PATH by default) */
export interface GpiodTools {
  gpioset: string;
  gpioget: string;
  gpiomon: string;
}
const TOOLS: GpiodTools = { gpioset: 'gpioset', gpioget: 'gpioget', gpiomon: 'gpiomon' };

/** hold the line at `value` until the process is signalled (gpioset's signal mode) */
export function gpiosetHoldArgs(g: GpioLine, value: 0 | 1): string[] {
  return ['--mode=signal', ...lowFlag(g), g.chip, `${g.line}=${value}`];
}

/** set the line once and exit */
export function gpiosetOnceArgs(g: GpioLine, value: 0 | 1): string[] {
  return [...lowFlag(g), g.chip, `${g.line}=${value}`];
}

export function gpiogetArgs(g: GpioLine): string[] {
  return [...lowFlag(g), g.chip, String(g.line)];
}

/** one line per edge: "1" rising, "0" falling (after --active-low), flushed per line */
export function gpiomonArgs(g: GpioLine): string[] {
  return ['--line-buffered', '--format=%e', ...lowFlag(g), g.chip, String(g.line)];
}

/** gpiomon's output, as whole lines: the edges in it, in order */
export function parseGpiomon(buffered: string): { edges: boolean[]; rest: string } {
  const lines = buffered.split('\n');
  const rest = lines.pop() ?? '';
  const edges = lines
    .map((l) => l.trim())
    .filter((l) => l === '0' || l === '1')
    .map((l) => l === '1');
  return { edges, rest };
}

/**
 * PTT on a GPIO line: keyed = a `gpioset --mode=signal` child holding the line active;
 * released = that child stopped and the line set inactive explicitly (a released line keeps
 * its last value on most chips, so "stop holding" alone is not "unkey").
 */
export class GpioPtt implements PttDriver {
  private holder: Child | undefined;
  private on = false;

  constructor(
    private readonly gpio: GpioLine,
    private readonly onError: (message: string) => void,
    private readonly tools: GpiodTools = TOOLS,
  ) {
    this.release();
  }

  set(on: boolean): void {
    if (on === this.on) return;
    this.on = on;
    if (on) {
      this.holder = new Child(this.tools.gpioset, gpiosetHoldArgs(this.gpio, 1), { onError: this.onError });
      this.holder.start();
    } else this.release();
  }

  private release(): void {
    this.holder?.stop();
    this.holder = undefined;
    runOnce(this.tools.gpioset, gpiosetOnceArgs(this.gpio, 0)).catch((err: Error) =>
      this.onError(err.message),
    );
  }

  stop(): void {
    this.on = false;
    this.release();
  }
}

/** edges of one input line: gpiomon first (so no edge is missed), then gpioget for the level now */
class GpioWatch {
  private mon: Child | undefined;

  constructor(
    private readonly gpio: GpioLine,
    private readonly tools: GpiodTools,
  ) {}

  start(onLevel: (up: boolean, edge: boolean) => void, onError: (message: string) => void): void {
    let buffered = '';
    this.mon = new Child(this.tools.gpiomon, gpiomonArgs(this.gpio), {
      onStdout: (chunk) => {
        const { edges, rest } = parseGpiomon(buffered + chunk.toString('utf8'));
        buffered = rest.slice(-64);
        for (const up of edges) onLevel(up, true);
      },
      onError,
      restart: true,
    });
    this.mon.start();
    runOnce(this.tools.gpioget, gpiogetArgs(this.gpio))
      .then((out) => onLevel(out.trim() === '1', false))
      .catch((err: Error) => onError(err.message));
  }

  stop(): void {
    this.mon?.stop();
  }
}

export class GpioCor implements CorDriver {
  private readonly watch: GpioWatch;
  private last: boolean | undefined;

  constructor(gpio: GpioLine, tools: GpiodTools = TOOLS) {
    this.watch = new GpioWatch(gpio, tools);
  }

  start(onCor: (up: boolean) => void, onError: (message: string) => void): void {
    this.watch.start((up) => {
      if (up === this.last) return;
      this.last = up;
      onCor(up);
    }, onError);
  }

  stop(): void {
    this.watch.stop();
  }
}

/** an emergency button on a GPIO line: each rising edge is one press */
export class GpioButton implements InputDriver {
  private readonly watch: GpioWatch;
  private level = false;

  constructor(gpio: GpioLine, tools: GpiodTools = TOOLS) {
    this.watch = new GpioWatch(gpio, tools);
  }

  start(onPress: () => void, onError: (message: string) => void): void {
    this.watch.start((up, edge) => {
      // the level read at start is not a press (a button held through a reboot)
      const press = edge && up && !this.level;
      this.level = up;
      if (press) onPress();
    }, onError);
  }

  stop(): void {
    this.watch.stop();
  }
}
