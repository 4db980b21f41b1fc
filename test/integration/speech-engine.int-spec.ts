import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rmsDbfs } from '#radio';
import {
  EspeakSpeechEngine,
  SpeechUnavailableError,
  type EspeakOptions,
} from '../../apps/sfu/src/radio/voice/speech-engine.js';

/** The espeak-ng engine with the real program, and with programs that fail in the ways it must survive. */
const base: EspeakOptions = {
  command: 'espeak-ng',
  voice: 'cmn',
  rate: 150,
  concurrency: 1,
  queue: 1,
  timeoutMs: 30_000,
  maxChars: 50,
};

describe('the espeak-ng speech engine', () => {
  let dir: string;
  const script = (name: string, body: string) => {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'yihu-speech-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('warms up, then speaks Mandarin as 8 kHz PCM', async () => {
    const engine = new EspeakSpeechEngine(base);
    await engine.start();
    expect(engine.health()).toMatchObject({ status: 'up', driver: 'espeak-ng' });
    const pcm = await engine.synthesize('请按零零四二井号键签收');
    expect(pcm.length / 8000).toBeGreaterThan(2);
    expect(pcm.length / 8000).toBeLessThan(15);
    expect(rmsDbfs(pcm)).toBeGreaterThan(-35);
  });

  it('says clearly when the program is missing', async () => {
    const engine = new EspeakSpeechEngine({ ...base, command: join(dir, 'no-such-espeak') });
    await engine.start();
    const h = engine.health();
    expect(h.status).toBe('degraded');
    expect(h.error).toMatch(/no-such-espeak.*does not work/);
    await expect(engine.synthesize('测试')).rejects.toBeInstanceOf(SpeechUnavailableError);
  });

  it('refuses empty and too long text before starting anything', async () => {
    const engine = new EspeakSpeechEngine(base);
    await expect(engine.synthesize('  ')).rejects.toThrow(/nothing to say/);
    await expect(engine.synthesize('长'.repeat(51))).rejects.toThrow(/too long.*51 > 50/);
  });

  it('kills a synthesis that hangs and reports a failing one with its exit', async () => {
    const hang = new EspeakSpeechEngine({
      ...base,
      command: script('hang', 'exec sleep 30'),
      timeoutMs: 300,
    });
    const t0 = Date.now();
    await expect(hang.synthesize('测试')).rejects.toThrow(/no speech within 300 ms/);
    expect(Date.now() - t0).toBeLessThan(5000);
    const fail = new EspeakSpeechEngine({
      ...base,
      command: script('fail', 'echo broken voice >&2; exit 3'),
    });
    await expect(fail.synthesize('测试')).rejects.toThrow(/exited 3: broken voice/);
    const junk = new EspeakSpeechEngine({ ...base, command: script('junk', 'cat; echo not a wav') });
    await expect(junk.synthesize('测试')).rejects.toThrow(/not a WAV/);
  });

  it('queues at most `queue` behind `concurrency`, and refuses the rest; close kills and refuses', async () => {
    const slow = new EspeakSpeechEngine({
      ...base,
      command: script('slow', 'exec sleep 30'),
      timeoutMs: 60_000,
    });
    const running = slow.synthesize('一');
    const waiting = slow.synthesize('二');
    await expect(slow.synthesize('三')).rejects.toThrow(/busy \(1 waiting\)/);
    const settled = Promise.allSettled([running, waiting]);
    await new Promise((r) => setTimeout(r, 200)); // the first one's process is up
    slow.close();
    const [a, b] = await settled;
    expect(a).toMatchObject({
      status: 'rejected',
      reason: expect.objectContaining({ message: expect.stringMatching(/shut down/) }),
    });
    expect(b).toMatchObject({
      status: 'rejected',
      reason: expect.objectContaining({ message: expect.stringMatching(/shut down/) }),
    });
    await expect(slow.synthesize('四')).rejects.toThrow(/shut down/);
  });
});
