import type { MessageKey } from '../../i18n/index.js';
import { ApiError, errorText } from '../../lib/api.js';

/**
 * The warning workflow's refusals (libs/domain/src/warnings.ts) by a stable fragment of the
 * server's English, checked before the console's general translations: those would say only
 * 「操作冲突」 where the officer needs to know why.
 */
const WARNING_MESSAGES: [RegExp, MessageKey][] = [
  [/unsupported version/i, 'warn.err.capVersion'],
  [/DOCTYPE is refused|entit(y|ies) .*refused|XInclude/i, 'warn.err.capHostile'],
  [/^invalid CAP/i, 'warn.err.capInvalid'],
  [/cannot be a warning/i, 'warn.err.capUnusable'],
  [/editor of a warning may not approve/i, 'warn.err.selfApprove'],
  [/only a commander may publish/i, 'warn.err.emergencyOnly'],
  [/not approved; only a commander/i, 'warn.err.notApproved'],
  [/published already/i, 'warn.err.published'],
  [/is cancelled: it cannot be/i, 'warn.err.cancelled'],
  [/was superseded by/i, 'warn.err.superseded'],
  [/has expired|expired before publication/i, 'warn.err.expired'],
  [/not a draft/i, 'warn.err.notDraft'],
  [/not in review/i, 'warn.err.notReview'],
  [/must be after onset/i, 'warn.err.order'],
  [/6, 9 or 12 digits/i, 'warn.err.region'],
  [/have no region code/i, 'warn.err.noIssuerCode'],
  [/no site in your scope lies in the area/i, 'warn.err.noSites'],
  [/may not (draft|submit|approve|reject|publish|update|cancel) warnings/i, 'warn.err.role'],
];

/**
 * Where an imported CAP document went wrong, in words a zh-CN reader can use: the line
 * numbers and element names the validator named (XML names, not English prose).
 */
export function capProblemPlace(message: string, lang: string): string {
  const lines = [...new Set([...message.matchAll(/line (\d+)/g)].map((m) => m[1]))].slice(0, 3);
  const elements = [
    ...new Set([...message.matchAll(/Element '(?:\{[^}]*\})?([A-Za-z][\w.-]*)'/g)].map((m) => m[1])),
  ].slice(0, 3);
  const zh = lang !== 'en';
  const parts = [
    ...(lines.length ? [zh ? `第 ${lines.join('、')} 行` : `line ${lines.join(', ')}`] : []),
    ...(elements.length ? [zh ? `元素 ${elements.join('、')}` : `element ${elements.join(', ')}`] : []),
  ];
  return parts.join(zh ? '，' : ', ');
}

/** The warning-specific translation of a refusal, if there is one. */
export function warningErrorKey(
  message: string,
  fields: readonly { message: string }[] = [],
): MessageKey | undefined {
  for (const text of [message, ...fields.map((f) => f.message)]) {
    const hit = WARNING_MESSAGES.find(([re]) => re.test(text));
    if (hit) return hit[1];
  }
  return undefined;
}

/** An error as a zh-CN user reads it: the warning's own reason first, then the console's general ones. */
export function warningErrorText(err: unknown, t: (k: MessageKey) => string, lang: string): string {
  if (lang !== 'en' && err instanceof ApiError && err.status < 500) {
    const key = warningErrorKey(err.message, err.facts.fields);
    if (key === 'warn.err.capInvalid') {
      const place = capProblemPlace(err.message, lang);
      return place ? `${t(key)}：${place}` : t(key);
    }
    if (key) return t(key);
  }
  return errorText(err);
}
