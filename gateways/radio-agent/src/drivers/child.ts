import { spawn, type ChildProcess } from 'node:child_process';

export interface ChildOptions {
  onStdout?(chunk: Buffer): void;
  onError(message: string): void;
  /** keep stdin open for writes (the child sees EOF when the agent dies: its cue to let go) */
  stdin?: boolean;
  /** restart after an exit, with a growing pause (1 s … 30 s) */
  restart?: boolean;
}

/**
 * One long-running helper program (arecord, aplay, gpiomon, the serial helper). Its exit is
 * reported and, when asked, it is started again: a gateway on a mast has no one to restart
 * it. stderr is kept to its last line for the report.
 */
export class Child {
  private child: ChildProcess | undefined;
  private stopped = false;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastErr = '';

  constructor(
    readonly command: string,
    readonly args: readonly string[],
    private readonly options: ChildOptions,
  ) {}

  start(): void {
    this.stopped = false;
    const child = spawn(this.command, this.args, {
      stdio: [this.options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => {
      this.failures = 0;
      this.options.onStdout?.(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      const line = chunk.toString('utf8').trim().split('\n').pop();
      if (line) this.lastErr = line.slice(0, 200);
    });
    // a write to a child that just died: its exit is reported below
    child.stdin?.on('error', () => undefined);
    child.on('error', (err) => this.options.onError(`${this.command}: ${err.message}`));
    child.on('close', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      if (this.stopped) return;
      this.options.onError(
        `${this.command} exited (${signal ?? code})${this.lastErr ? `: ${this.lastErr}` : ''}`,
      );
      if (!this.options.restart) return;
      const delay = Math.min(30_000, 1000 * 2 ** Math.min(this.failures++, 5));
      this.timer = setTimeout(() => this.start(), delay);
      this.timer.unref();
    });
  }

  write(data: Buffer | string): void {
    const stdin = this.child?.stdin;
    if (stdin?.writable) stdin.write(data);
  }

  get running(): boolean {
    return !!this.child;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    const child = this.child;
    this.child = undefined;
    if (!child) return;
    child.stdin?.end();
    child.kill('SIGTERM');
  }
}

/** run a short command to completion; rejects with its stderr */
export function runOnce(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')}: ${err.trim() || code}`)),
    );
  });
}

/** little-endian S16 bytes → samples, carrying an odd byte over to the next chunk */
export class PcmReader {
  private carry: Buffer | undefined;

  push(chunk: Buffer): Int16Array {
    const data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const whole = data.length - (data.length % 2);
    this.carry = whole < data.length ? Buffer.from(data.subarray(whole)) : undefined;
    const out = new Int16Array(whole / 2);
    for (let i = 0; i < out.length; i++) out[i] = data.readInt16LE(i * 2);
    return out;
  }
}

export function pcmBytes(pcm: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(pcm.length * 2);
  for (let i = 0; i < pcm.length; i++) out.writeInt16LE(pcm[i]!, i * 2);
  return out;
}
