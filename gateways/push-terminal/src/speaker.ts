import { spawn, spawnSync } from 'node:child_process';

/**
 * Speaks through espeak-ng when it is installed (Mandarin voice "cmn"). One utterance at a
 * time, in arrival order; a missing or failing speaker never stops the agent: the screen
 * still shows the directive.
 */
export class Speaker {
  private queue: Promise<void> = Promise.resolve();
  readonly available: boolean;

  constructor(
    private readonly command = 'espeak-ng',
    private readonly voice = 'cmn',
    private readonly onError: (message: string) => void = () => undefined,
  ) {
    this.available = spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
  }

  say(text: string): void {
    if (!this.available || !text.trim()) return;
    this.queue = this.queue.then(
      () =>
        new Promise<void>((resolve) => {
          // text on stdin, never as an argument: it cannot become an option
          const child = spawn(this.command, ['-v', this.voice, '--stdin'], {
            stdio: ['pipe', 'ignore', 'pipe'],
          });
          let err = '';
          child.stderr.on('data', (d: Buffer) => (err += d.toString()));
          child.on('error', (e) => {
            this.onError(e.message);
            resolve();
          });
          child.on('exit', (code) => {
            if (code !== 0) this.onError(`espeak-ng exited ${code}: ${err.trim().slice(0, 200)}`);
            resolve();
          });
          child.stdin.end(text);
        }),
    );
  }

  /** resolves when everything queued has been spoken */
  idle(): Promise<void> {
    return this.queue;
  }
}
