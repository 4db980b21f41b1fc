import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Speaker } from './speaker.js';

/** A stand-in for espeak-ng that writes what it was asked to say (arguments and stdin) to a file. */
function fakeSpeaker(exitCode = 0): { command: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'speaker-'));
  const log = join(dir, 'said.txt');
  const command = join(dir, 'fake-espeak');
  writeFileSync(
    command,
    `#!/bin/sh\n[ "$1" = "--version" ] && exit 0\necho "args: $*" >> ${log}\ncat >> ${log}\necho >> ${log}\nexit ${exitCode}\n`,
  );
  chmodSync(command, 0o755);
  return { command, log };
}

describe('Speaker', () => {
  it('says each text once, in order, on stdin (never as an argument)', async () => {
    const { command, log } = fakeSpeaker();
    const speaker = new Speaker(command, 'cmn');
    expect(speaker.available).toBe(true);
    speaker.say('红色指令。立即转移');
    speaker.say('--help; rm -rf /');
    await speaker.idle();
    expect(readFileSync(log, 'utf8')).toBe(
      'args: -v cmn --stdin\n红色指令。立即转移\nargs: -v cmn --stdin\n--help; rm -rf /\n',
    );
  });

  it('reports a failing or missing speaker without throwing', async () => {
    const errors: string[] = [];
    const { command } = fakeSpeaker(3);
    const failing = new Speaker(command, 'cmn', (m) => errors.push(m));
    failing.say('text');
    await failing.idle();
    expect(errors[0]).toMatch(/exited 3/);
    const missing = new Speaker('/nonexistent/espeak-ng');
    expect(missing.available).toBe(false);
    missing.say('text');
    await missing.idle();
  });
});
