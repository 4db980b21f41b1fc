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
  /** alert tone by level, then the spoken directive: A-law 20 ms frames */
  first: Buffer[];
  /** the spoken directive again, without the tone */
  repeat: Buffer[];
  /** length of the tone part (the speech starts after it and the lead-in) */
  toneMs: number;
  speechMs: number;
  /** characters of the body that were spoken */
  bodyChars: number;
}

/**
 * The audio of a directive on air: the level's alert tone, the directive spoken once
 * (directiveSpeech), and a second transmission with the same speech (the message is heard
 * twice; two transmissions, since one with both would pass the transmit timeout). A body
 * whose speech does not fit one transmission is cut shorter and spoken again.
 */
export async function directiveAudio(
  speech: SpeechEngine,
  d: Pick<DirectivePushPayload, 'serial' | 'level' | 'title' | 'body' | 'drill' | 'redelivery'>,
): Promise<DirectiveAudio> {
  const tone = alertTone(d.level);
  const toneMs = (tone.length * 1000) / SPEECH_RATE;
  const budgetMs = MAX_TRANSMISSION_MS - toneMs - 2 * LEAD_MS - TAIL_MS;
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
  if (msOf(pcm) > budgetMs) pcm = pcm.subarray(0, Math.floor((budgetMs * SPEECH_RATE) / 1000));
  return {
    first: alawFrames(concat([tone, silence(LEAD_MS), pcm, silence(TAIL_MS)])),
    repeat: alawFrames(concat([silence(LEAD_MS), pcm, silence(TAIL_MS)])),
    toneMs,
    speechMs: msOf(pcm),
    bodyChars,
  };
}

/**
 * A change or a withdrawal on air (updateSpeech, cancelSpeech): the level's tone before a
 * change, so it is heard as part of that order; none before a withdrawal, which must not
 * sound like a new alarm. Twice, like the directive. The text is bounded by the speech
 * rules; a synthesis that still overruns is cut, never sent past the transmit timeout.
 */
export async function noticeAudio(
  speech: SpeechEngine,
  text: string,
  level: DirectivePushPayload['level'] | null,
): Promise<DirectiveAudio> {
  const tone = level ? alertTone(level) : new Int16Array(0);
  const toneMs = (tone.length * 1000) / SPEECH_RATE;
  const budgetMs = MAX_TRANSMISSION_MS - toneMs - 2 * LEAD_MS - TAIL_MS;
  let pcm = await speech.synthesize(text);
  if (msOf(pcm) > budgetMs) pcm = pcm.subarray(0, Math.floor((budgetMs * SPEECH_RATE) / 1000));
  return {
    first: alawFrames(concat([tone, silence(LEAD_MS), pcm, silence(TAIL_MS)])),
    repeat: alawFrames(concat([silence(LEAD_MS), pcm, silence(TAIL_MS)])),
    toneMs,
    speechMs: msOf(pcm),
    bodyChars: [...text].length,
  };
}

/** text spoken as an announcement, as frames: lead-in, speech, tail */
export function announcementFrames(pcm: Int16Array): Buffer[] {
  return alawFrames(concat([silence(LEAD_MS), pcm, silence(TAIL_MS)]));
}

function msOf(pcm: Int16Array): number {
  return (pcm.length * 1000) / SPEECH_RATE;
}
