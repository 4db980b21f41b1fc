import { describe, expect, it } from '@jest/globals';
import type { ComponentHealth } from '#contracts';
import { alawFrames, alertTone, concat, silence, sine } from '#radio';
import { directiveAudio, noticeAudio } from './directive-audio.js';
import { SpeechEngine, SpeechUnavailableError } from './speech-engine.js';

/** speaks every text as `ms` of a tone; counts calls; fails when told */
class FakeSpeech extends SpeechEngine {
  calls: string[] = [];
  constructor(
    private readonly ms = 2000,
    private readonly fail = false,
  ) {
    super();
  }
  async synthesize(text: string): Promise<Int16Array> {
    this.calls.push(text);
    if (this.fail) throw new SpeechUnavailableError('speech engine busy (16 waiting)');
    return sine(500, this.ms);
  }
  health(): ComponentHealth {
    return { status: 'up', driver: 'fake' };
  }
}

const directive = {
  serial: '2026-0042',
  level: 'blue' as const,
  title: '防汛',
  body: '注意。',
  drill: false,
  redelivery: 0,
};

describe('directive audio on air', () => {
  it('has the tone and lead-in at once and makes the speech only when asked, once', async () => {
    const speech = new FakeSpeech();
    const audio = directiveAudio(speech, directive);
    expect(speech.calls).toHaveLength(0);
    // blue: 900 ms of tone and 300 ms of lead-in, 20 ms frames
    expect(audio.head).toEqual(alawFrames(concat([alertTone('blue'), silence(300)])));
    expect(audio.head).toHaveLength(60);
    expect(audio.toneMs).toBe(900);
    const [a, b] = await Promise.all([audio.speech(), audio.speech()]);
    expect(a).toBe(b);
    expect(speech.calls).toHaveLength(1);
    expect(speech.calls[0]).toContain('蓝色等级指令');
    // 2 s of speech then the 200 ms tail; the repeat leads with 300 ms of silence
    expect(a.rest).toHaveLength(110);
    expect(a.repeat).toHaveLength(125);
    expect(a.speechMs).toBe(2000);
    expect(audio.failure()).toBeNull();
  });

  it('reports a failed speech through failure(), whoever reads it', async () => {
    const audio = directiveAudio(new FakeSpeech(2000, true), directive);
    await expect(audio.speech()).rejects.toBeInstanceOf(SpeechUnavailableError);
    expect(audio.failure()?.message).toMatch(/busy/);
    // asked and never awaited again (a broadcast cut off): no unhandled rejection
    const other = noticeAudio(new FakeSpeech(2000, true), '撤销', null);
    void other.speech();
    await new Promise((r) => setTimeout(r, 10));
    expect(other.failure()).toBeInstanceOf(SpeechUnavailableError);
  });

  it('has no tone before a withdrawal, only the lead-in; the level tone before a change', () => {
    expect(noticeAudio(new FakeSpeech(), '撤销', null).head).toEqual(alawFrames(silence(300)));
    const change = noticeAudio(new FakeSpeech(), '变更', 'red');
    expect(change.head).toEqual(alawFrames(concat([alertTone('red'), silence(300)])));
    expect(change.toneMs).toBe(2500);
  });

  it('cuts a speech longer than one transmission', async () => {
    const audio = noticeAudio(new FakeSpeech(70_000), '很长的变更', 'red');
    const s = await audio.speech();
    // 55 s, less the tone, two lead-ins and the tail
    expect(s.speechMs).toBe(55_000 - 2500 - 600 - 200);
  });
});
