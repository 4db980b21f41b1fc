import type { DirectiveLevel } from '#contracts';

/**
 * What a directive sounds like on the radio (docs/radio-voice.md). Radio audio is narrow
 * (300–3400 Hz) and noisy, and a township's duty officer hears it once while doing
 * something else, so numbers are read digit by digit with the radio-operator forms that
 * cannot be confused (幺 for 1, 拐 for 7: 一/七 differ only in the initial), the level comes
 * first, and the whole message goes out twice.
 */

/** digit → the word spoken on air */
const RADIO_DIGITS: Record<string, string> = {
  '0': '零',
  '1': '幺',
  '2': '二',
  '3': '三',
  '4': '四',
  '5': '五',
  '6': '六',
  '7': '拐',
  '8': '八',
  '9': '九',
};

const DTMF_KEYS: Record<string, string> = { ...RADIO_DIGITS, '#': '井号', '*': '星号' };

export const LEVEL_WORDS: Record<DirectiveLevel, string> = {
  red: '红色',
  orange: '橙色',
  yellow: '黄色',
  blue: '蓝色',
};

/**
 * At most this much of a title and body is spoken. espeak-ng's Mandarin runs at ~2.6
 * characters a second at 150 words a minute (87 characters took 33 s here), and one
 * transmission must end before the talkgroup's transmit timeout (60 s by default): the
 * fixed parts take ~17 s, so title and body share ~35 s. The full text is on the console
 * and the terminals.
 */
export const SPOKEN_BODY_MAX_CHARS = 70;
export const SPOKEN_TITLE_MAX_CHARS = 30;

/** '0042' → '零 零 四 二'; anything that is not a digit is left out */
export function digitsSpoken(digits: string): string {
  return [...digits]
    .map((c) => RADIO_DIGITS[c])
    .filter(Boolean)
    .join(' ');
}

/** '2026-0042' → '二零二六 杠 零零四二' (groups kept together, the dash said) */
export function serialSpoken(serial: string): string {
  return serial
    .split('-')
    .map((group) => [...group].map((c) => RADIO_DIGITS[c] ?? '').join(''))
    .filter(Boolean)
    .join(' 杠 ');
}

/** '0042#' → '零 零 四 二 井号': each key as pressed */
export function dtmfKeysSpoken(code: string): string {
  return [...code]
    .map((c) => DTMF_KEYS[c])
    .filter(Boolean)
    .join(' ');
}

/**
 * Free text made fit to speak: line breaks become pauses, control characters go, runs of
 * spaces shrink, and it is cut at `max` characters (code points, not bytes) with a pointer
 * to the full text.
 */
export function speakableText(text: string, max: number): string {
  const flat = text
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ')
    .replace(/\s*[\r\n\t]+\s*/g, '，')
    .replace(/ {2,}/g, ' ')
    .replace(/，{2,}/g, '，')
    .trim();
  const chars = [...flat];
  if (chars.length <= max) return flat;
  return `${chars.slice(0, max).join('')}……全文请在终端或控制台查看`;
}

export interface SpokenDirective {
  serial: string;
  level: DirectiveLevel;
  title: string;
  body: string;
  drill: boolean;
  /** > 0: an escalation's re-delivery to a site that has not acknowledged; said as such */
  redelivery?: number;
}

/**
 * The text spoken for one directive: (演练,) (再次通知 on a re-delivery,) level, serial, title, body, then the 签收
 * instruction with the DTMF code key by key. It goes on air twice, as two transmissions
 * (docs/radio-voice.md), each within the transmit timeout. `code` is the DTMF code
 * (`dtmfCodeForSerial` in #radio, e.g. '0042#'); `bodyMax` shortens the body further when
 * the synthesized speech came out too long.
 */
export function directiveSpeech(d: SpokenDirective, code: string, bodyMax = SPOKEN_BODY_MAX_CHARS): string {
  return [
    d.drill ? '演练，演练。' : '',
    (d.redelivery ?? 0) > 0 ? '尚未签收，再次通知。' : '',
    `${LEVEL_WORDS[d.level]}等级指令。`,
    `编号 ${serialSpoken(d.serial)}。`,
    `标题：${speakableText(d.title, SPOKEN_TITLE_MAX_CHARS)}。`,
    `${speakableText(d.body, Math.min(bodyMax, SPOKEN_BODY_MAX_CHARS))}。`,
    `请在对讲机上按 ${dtmfKeysSpoken(code)} 键签收。`,
  ]
    .join('')
    .replace(/([。，：])。/g, '$1');
}

/**
 * A change to a directive already on air (变更): said as a change, with the serial and title
 * that tell the listener which order it changes, then the change itself. The 签收 code is
 * not repeated: the change does not ask for a new 签收.
 */
export function updateSpeech(d: Omit<SpokenDirective, 'body' | 'redelivery'>, text: string): string {
  return [
    d.drill ? '演练，演练。' : '',
    '指令变更。',
    `编号 ${serialSpoken(d.serial)}。`,
    `标题：${speakableText(d.title, SPOKEN_TITLE_MAX_CHARS)}。`,
    `变更内容：${speakableText(text, SPOKEN_BODY_MAX_CHARS)}。`,
  ]
    .join('')
    .replace(/([。，：])。/g, '$1');
}

/**
 * A directive withdrawn (撤销): people who heard the order on the radio must hear that it no
 * longer stands, and that nothing is to be keyed for it.
 */
export function cancelSpeech(d: Omit<SpokenDirective, 'body' | 'redelivery'>, reason: string | null): string {
  return [
    d.drill ? '演练，演练。' : '',
    '指令撤销。',
    `编号 ${serialSpoken(d.serial)}。`,
    `标题：${speakableText(d.title, SPOKEN_TITLE_MAX_CHARS)}。`,
    reason?.trim() ? `撤销原因：${speakableText(reason, SPOKEN_BODY_MAX_CHARS)}。` : '',
    '此指令已撤销，不再执行，无需签收。',
  ]
    .join('')
    .replace(/([。，：])。/g, '$1');
}
