import type { DirectivePushPayload } from '#contracts';
import { directiveSpeech, SPOKEN_BODY_MAX_CHARS } from '#domain';
import { alawFrames, alertTone, concat, dtmfCodeForSerial, silence } from '#radio';
import { SPEECH_RATE, type SpeechEngine } from './speech-engine.js';

/**
 * One transmission ends before the talkgroup's transmit timeout (RADIO_TOT_SECONDS, 60 s
 * by default), with room for the gateways' key-up and the jitter of real-time pacing.
 */
export const MAX_TRANSMISSION_MS = 55_000;
/** lead-in before speech: radios clip the first syllables while the transmitter keys up */
const LEAD_MS = 300;
const TAIL_MS = 200;

export interface DirectiveAudio {
  /**
   * the level's alert tone and the lead-in, A-law 20 ms frames: they do not depend on the
   * text, so they go on air at once while the speech is made (the first frame reaches the
   * gateways some 100 ms sooner than after espeak-ng and resampling)
   */
  head: Buffer[];
  /** length of the tone part (the speech starts after it and the lead-in) */
  toneMs: number;
  /**
   * the speech: made on the first call (once the tone is on air: spawning espeak-ng and
   * resampling take the event loop the floor grant and the first frame need), the same
   * promise after; its rejection is handled here (read `failure()` or await it)
   */
  speech(): Promise<DirectiveSpeech>;
  /** the speech's error once it failed, null while it is made or after it succeeded */
  failure(): Error | null;
}

export interface DirectiveSpeech {
  /** after the head: the spoken directive, then the tail */
  rest: Buffer[];
  /** the second transmission: lead-in, the same speech, tail (no tone) */
  repeat: Buffer[];
  speechMs: number;
  /** characters of the body that were spoken */
  bodyChars: number;
}

/** tone + lead-in by level, made once: the same frames every time */
const heads = new Map<string, Buffer[]>();

function headFrames(level: DirectivePushPayload['level'] | null): Buffer[] {
  const key = level ?? '-';
  let head = heads.get(key);
  if (!head) {
    // the last frame is zero-padded: the lead-in grows by under 20 ms
    head = alawFrames(concat([level ? alertTone(level) : new Int16Array(0), silence(LEAD_MS)]));
    heads.set(key, head);
  }
  return head;
}

function onAir(
  level: DirectivePushPayload['level'] | null,
  make: (budgetMs: number) => Promise<{ pcm: Int16Array; bodyChars: number }>,
): DirectiveAudio {
  const toneMs = level ? (alertTone(level).length * 1000) / SPEECH_RATE : 0;
  const budgetMs = MAX_TRANSMISSION_MS - toneMs - 2 * LEAD_MS - TAIL_MS;
  let error: Error | null = null;
  let made: Promise<DirectiveSpeech> | null = null;
  const speech = () =>
    (made ??= (async () => {
      const { pcm, bodyChars } = await make(budgetMs);
      return {
        rest: alawFrames(concat([pcm, silence(TAIL_MS)])),
        repeat: alawFrames(concat([silence(LEAD_MS), pcm, silence(TAIL_MS)])),
        speechMs: msOf(pcm),
        bodyChars,
      };
    })());
  return {
    head: headFrames(level),
    toneMs,
    speech: () => {
      const p = speech();
      // a caller that stops reading it (the broadcast cut off) leaves no unhandled rejection
      p.catch((err: unknown) => (error = err as Error));
      return p;
    },
    failure: () => error,
  };
}

/**
 * The audio of a directive on air: the level's alert tone, the directive spoken once
 * (directiveSpeech), and a second transmission with the same speech (the message is heard
 * twice; two transmissions, since one with both would pass the transmit timeout). A body
 * whose speech does not fit one transmission is cut shorter and spoken again.
 */
export function directiveAudio(
  speech: SpeechEngine,
  d: Pick<DirectivePushPayload, 'serial' | 'level' | 'title' | 'body' | 'drill' | 'redelivery'>,
): DirectiveAudio {
  return onAir(d.level, async (budgetMs) => {
    const code = dtmfCodeForSerial(d.serial);
    let bodyChars = SPOKEN_BODY_MAX_CHARS;
    let pcm = await speech.synthesize(directiveSpeech(d, code, bodyChars));
    for (let i = 0; i < 3 && msOf(pcm) > budgetMs && bodyChars > 0; i++) {
      // the fixed parts stay; the body gives up what is over, in proportion, with a margin
      const overMs = msOf(pcm) - budgetMs;
      const perCharMs = msOf(pcm) / Math.max(1, directiveSpeech(d, code, bodyChars).length);
      bodyChars = Math.max(0, Math.floor(bodyChars - (overMs / perCharMs) * 1.2));
      pcm = await speech.synthesize(directiveSpeech(d, code, bodyChars));
    }
    // the last resort for a title and fixed parts that alone are too long: cut, never overrun
    return { pcm: cut(pcm, budgetMs), bodyChars };
  });
}

/**
 * A change or a withdrawal on air (updateSpeech, cancelSpeech): the level's tone before a
 * change, so it is heard as part of that order; none before a withdrawal, which must not
 * sound like a new alarm. Twice, like the directive. The text is bounded by the speech
 * rules; a synthesis that still overruns is cut, never sent past the transmit timeout.
 */
export function noticeAudio(
  speech: SpeechEngine,
  text: string,
  level: DirectivePushPayload['level'] | null,
): DirectiveAudio {
  return onAir(level, async (budgetMs) => ({
    pcm: cut(await speech.synthesize(text), budgetMs),
    bodyChars: [...text].length,
  }));
}

function cut(pcm: Int16Array, budgetMs: number): Int16Array {
  return msOf(pcm) > budgetMs ? pcm.subarray(0, Math.floor((budgetMs * SPEECH_RATE) / 1000)) : pcm;
}

/** text spoken as an announcement, as frames: lead-in, speech, tail */
export function announcementFrames(pcm: Int16Array): Buffer[] {
  return alawFrames(concat([silence(LEAD_MS), pcm, silence(TAIL_MS)]));
}

function msOf(pcm: Int16Array): number {
  return (pcm.length * 1000) / SPEECH_RATE;
}
