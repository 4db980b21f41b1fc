import { Child } from './child.js';
import type { CorDriver, PttDriver } from './types.js';

/**
 * Serial-port PTT (RTS) and COR (CTS or DCD) without a native npm module: Node has no
 * modem-line ioctls, and `stty` cannot set RTS or read CTS/DCD. A small python3 helper
 * (standard library only; python3 is on every Debian) owns the port: it clears RTS and DTR
 * right after opening (Linux raises both on open), sets RTS on "1"/"0" lines from stdin,
 * polls the modem lines every 10 ms and prints "cor 0|1" on a change. When the agent dies its
 * stdin closes: the helper drops RTS and exits, and closing the port drops it again (HUPCL).
 */
export const SERIAL_HELPER = String.raw`
import fcntl, os, select, struct, sys, termios
dev, pin, active_low = sys.argv[1], sys.argv[2], sys.argv[3] == '1'
fd = os.open(dev, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
def lines(bits, on):
    fcntl.ioctl(fd, termios.TIOCMBIS if on else termios.TIOCMBIC, struct.pack('I', bits))
lines(termios.TIOCM_RTS | termios.TIOCM_DTR, False)
mask = {'cts': termios.TIOCM_CTS, 'dcd': termios.TIOCM_CAR, 'none': 0}[pin]
last = None
try:
    while True:
        ready, _, _ = select.select([sys.stdin], [], [], 0.01)
        if ready:
            cmd = sys.stdin.readline()
            if not cmd:
                break
            lines(termios.TIOCM_RTS, cmd.strip() == '1')
        if mask:
            state = struct.unpack('I', fcntl.ioctl(fd, termios.TIOCMGET, struct.pack('I', 0)))[0]
            up = bool(state & mask) != active_low
            if up != last:
                last = up
                sys.stdout.write('cor %d\n' % up)
                sys.stdout.flush()
finally:
    lines(termios.TIOCM_RTS, False)
    os.close(fd)
`;

export function serialHelperArgs(
  device: string,
  corPin: 'cts' | 'dcd' | 'none',
  activeLow: boolean,
): string[] {
  return ['-c', SERIAL_HELPER, device, corPin, activeLow ? '1' : '0'];
}

/** one helper per port, shared by PTT and COR on the same port */
export class SerialPort implements PttDriver, CorDriver {
  private child: Child | undefined;
  private onCor: ((up: boolean) => void) | undefined;
  private ptt = false;

  constructor(
    private readonly device: string,
    private readonly corPin: 'cts' | 'dcd' | 'none',
    private readonly activeLow: boolean,
    private readonly onError: (message: string) => void,
  ) {}

  private ensure(): void {
    if (this.child) return;
    let buffered = '';
    this.child = new Child('python3', serialHelperArgs(this.device, this.corPin, this.activeLow), {
      stdin: true,
      restart: true,
      onError: this.onError,
      onStdout: (chunk) => {
        const all = (buffered + chunk.toString('utf8')).split('\n');
        buffered = (all.pop() ?? '').slice(-64);
        for (const line of all) {
          const m = /^cor ([01])$/.exec(line.trim());
          if (m) this.onCor?.(m[1] === '1');
        }
      },
    });
    this.child.start();
  }

  start(onCor: (up: boolean) => void): void {
    this.onCor = onCor;
    this.ensure();
  }

  set(on: boolean): void {
    this.ensure();
    if (on === this.ptt) return;
    this.ptt = on;
    this.child!.write(on ? '1\n' : '0\n');
  }

  stop(): void {
    this.onCor = undefined;
    this.child?.write('0\n');
    this.child?.stop();
    this.child = undefined;
  }
}
