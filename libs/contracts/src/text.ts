import { z } from 'zod';
import type { FieldIssue } from './validation.js';

/**
 * Text rules shared by every edge (REST, Socket.IO, MQTT) and the console. Free of
 * Node-only APIs: browsers import this file.
 */

const codePoint = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

// PostgreSQL text cannot hold U+0000 (and jsonb refuses "\u0000"), and a UTF-16 surrogate
// without its partner has no UTF-8 form: either fails the statement, so both are refused
// before anything reaches the database.
const NUL = '\u0000';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored at all (NUL, unpaired surrogate), or null. */
export function unstorableTextProblem(value: string): string | null {
  if (value.includes(NUL)) return 'must not contain NUL characters (U+0000)';
  const lone = LONE_SURROGATE.exec(value);
  if (lone) return `must be valid Unicode (unpaired surrogate ${codePoint(lone[0])})`;
  return null;
}

const MAX_WALK_NODES = 100_000;

/** A node of the walk: its path is rebuilt from the parents only when something is found. */
interface WalkNode {
  value: unknown;
  key: string | null;
  parent: WalkNode | null;
}

function pathOf(node: WalkNode, lastKey?: string): string {
  const keys: string[] = lastKey === undefined ? [] : [lastKey];
  for (let n: WalkNode | null = node; n && n.key !== null; n = n.parent) keys.push(n.key);
  return keys.length ? keys.reverse().join('.') : '(body)';
}

/**
 * Walks a parsed value (JSON body, query, Socket.IO or MQTT payload) and returns the first
 * string or object key that cannot be stored, with its path ("targets.siteIds.0"), or null.
 * Iterative, and linear in the size of the value: a deeply nested body must neither
 * overflow the stack nor cost a path copy per level.
 */
export function findUnstorableText(value: unknown): FieldIssue | null {
  const stack: WalkNode[] = [{ value, key: null, parent: null }];
  let visited = 0;
  while (stack.length > 0) {
    const node = stack.pop()!;
    const v = node.value;
    if (++visited > MAX_WALK_NODES) return { path: '(body)', message: 'has too many values to check' };
    if (typeof v === 'string') {
      const problem = unstorableTextProblem(v);
      if (problem) return { path: pathOf(node), message: problem };
      continue;
    }
    if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v) || v instanceof ArrayBuffer) continue;
    const keys = Array.isArray(v) ? null : Object.keys(v);
    const length = keys ? keys.length : (v as unknown[]).length;
    // pushed in reverse, so the first bad field in document order is the one named
    for (let i = length - 1; i >= 0; i--) {
      const key = keys ? keys[i]! : String(i);
      const keyProblem = keys ? unstorableTextProblem(key) : null;
      if (keyProblem) {
        return {
          path: pathOf(node, key.replace(/[\uD800-\uDFFF\u0000]/g, '?')),
          message: `key ${keyProblem}`,
        };
      }
      const child = keys ? (v as Record<string, unknown>)[key] : (v as unknown[])[i];
      stack.push({ value: child, key, parent: node });
    }
  }
  return null;
}

// ---- the text rule for user-facing strings ----------------------------------------------

/** Explicit bidirectional formatting: `撤离\u202Egnp.exe` displays as `撤离exe.png`. */
const BIDI_CONTROL = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/** C0 and C1 controls and the Unicode line/paragraph separators. */
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/u;
/** Multi-line text keeps \t and \n (\r is normalised to \n first). */
const CONTROL_MULTILINE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029]/u;

/**
 * Characters that draw nothing: format characters (zero-width space/joiners, word joiner,
 * BOM, soft hyphen, Mongolian vowel separator, tags, ...), the combining grapheme joiner,
 * Hangul fillers and the blank braille pattern (used for "blank" names), and variation
 * selectors that are not part of a sequence they modify.
 */
const INVISIBLE =
  /[\p{Cf}\u034F\u115F\u1160\u17B4\u17B5\u180B-\u180F\u2800\u3164\uFFA0\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/u;

/**
 * Sequences in which an otherwise invisible character is meaningful, removed before
 * looking for INVISIBLE: emoji ZWJ sequences and presentation selectors (👨‍👩‍👧, ❤️),
 * keycaps (1️⃣), subdivision flags (tag sequences after 🏴), and ideographic variation
 * sequences (a CJK ideograph followed by a variation selector, used in personal names).
 */
const MEANINGFUL_SEQUENCES = new RegExp(
  [
    String.raw`\p{Extended_Pictographic}[\uFE0F\p{Emoji_Modifier}]?(?:\u200D\p{Extended_Pictographic}[\uFE0F\p{Emoji_Modifier}]?)+`,
    String.raw`\u{1F3F4}[\u{E0020}-\u{E007E}]+\u{E007F}`,
    String.raw`[0-9#*]\uFE0F?\u20E3`,
    String.raw`\p{Emoji}[\uFE0E\uFE0F]`,
    String.raw`\p{Ideographic}[\uFE00-\uFE0F\u{E0100}-\u{E01EF}]`,
  ].join('|'),
  'gu',
);

export interface TextRuleOptions {
  /** \n and \t allowed (bodies, feedback, notes); names and titles are one line */
  multiline?: boolean;
  /** '' is a value (an optional body sent empty); text that shows nothing still is not */
  allowEmpty?: boolean;
}

/**
 * Why a (normalised, trimmed) user-facing string is refused, or null. Names and titles:
 * no controls, no bidi controls, no invisible characters. Multi-line text: \n and \t
 * allowed, no other controls, no bidi controls. Both must show something.
 */
export function textRuleProblem(value: string, options: TextRuleOptions = {}): string | null {
  if (value === '' && options.allowEmpty) return null;
  const unstorable = unstorableTextProblem(value);
  if (unstorable) return unstorable;
  const bidi = BIDI_CONTROL.exec(value);
  if (bidi) return `must not contain bidirectional control characters (${codePoint(bidi[0])})`;
  const control = (options.multiline ? CONTROL_MULTILINE : CONTROL).exec(value);
  if (control) return `must not contain control characters (${codePoint(control[0])})`;
  const rest = value.replace(MEANINGFUL_SEQUENCES, 'x');
  if (!options.multiline) {
    const invisible = INVISIBLE.exec(rest);
    if (invisible) return `must not contain invisible characters (${codePoint(invisible[0])})`;
  }
  // what is left once invisible characters and white space are gone must not be empty
  if (rest.replace(new RegExp(INVISIBLE.source, 'gu'), '').trim() === '') return 'must not be empty';
  return null;
}

/** NFC, line ends as \n, trimmed: the form in which text is checked and stored. */
export function normalizeText(value: string): string {
  return value.normalize('NFC').replace(/\r\n?/g, '\n').trim();
}

/** UTF-8 length without Node's Buffer (browsers use this file). */
export function utf8Length(value: string): number {
  let bytes = 0;
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return bytes;
}

const stringOf = () => z.string({ error: 'must be a string' });

function ruled(schema: z.ZodString, options: TextRuleOptions): z.ZodString {
  return schema.superRefine((value, ctx) => {
    const problem = textRuleProblem(value, options);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
  });
}

/**
 * A name or title: NFC-normalised and trimmed, one line, no control, bidi-control or
 * invisible characters, not empty, at most `max` characters.
 */
export function singleLineText(max: number): z.ZodString {
  const base = stringOf().overwrite(normalizeText).max(max, `must be at most ${max} characters`);
  return ruled(base, {});
}

/**
 * Free text (a body, feedback, a note): NFC-normalised, \r\n as \n, trimmed; \n and \t
 * allowed, no other controls or bidi controls, not empty, at most `maxBytes` of UTF-8.
 */
export function multiLineText(maxBytes: number, options: { allowEmpty?: boolean } = {}): z.ZodString {
  const base = stringOf()
    .overwrite(normalizeText)
    .refine((v) => utf8Length(v) <= maxBytes, `must be at most ${maxBytes} bytes`);
  return ruled(base, { ...options, multiline: true });
}

/**
 * Dates a client may send are bounded: PostgreSQL has no year 0 and JavaScript dates end
 * in +275760, and nothing in dispatch is planned or looked up outside these years.
 */
export const MIN_CLIENT_DATE = '2000-01-01T00:00:00Z';
export const MAX_CLIENT_DATE = '2100-01-01T00:00:00Z';
const MIN_CLIENT_MS = Date.parse(MIN_CLIENT_DATE);
const MAX_CLIENT_MS = Date.parse(MAX_CLIENT_DATE);

/** An ISO 8601 date-time with offset, between MIN_CLIENT_DATE and MAX_CLIENT_DATE. */
export function boundedDateTime(error = 'must be an ISO 8601 date-time with offset') {
  return z.iso.datetime({ offset: true, error }).refine(
    (v) => {
      const t = Date.parse(v);
      return t >= MIN_CLIENT_MS && t < MAX_CLIENT_MS;
    },
    `must be between ${MIN_CLIENT_DATE.slice(0, 10)} and ${MAX_CLIENT_DATE.slice(0, 10)}`,
  );
}
