import { en } from '../i18n/en.js';
import { zh, type MessageKey } from '../i18n/zh.js';

/** What the console knows of a refused request: enough to say it in the user's language. */
export interface ErrorFacts {
  status: number;
  /** the server's refusal kind (ApiErrorBody.code), absent on older or non-domain errors */
  code?: string;
  fields?: { path: string; message: string }[];
  /** the API path that was called, without the /api/v1 prefix */
  path?: string;
  message: string;
}

const CODE_KEYS: Record<string, MessageKey> = {
  invalid: 'record.err.invalid',
  unauthenticated: 'record.err.unauthenticated',
  forbidden: 'record.err.forbidden',
  not_found: 'record.err.notFound',
  conflict: 'record.err.conflict',
  rate_limited: 'record.err.rateLimited',
  too_large: 'record.err.tooLarge',
};

const STATUS_CODES: Record<number, string> = {
  400: 'invalid',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  429: 'rate_limited',
};

const FIELD_KEYS: Record<string, MessageKey> = {
  targets: 'record.field.targets',
  siteId: 'record.field.site',
  siteIds: 'record.field.site',
  groupIds: 'record.field.group',
  title: 'record.field.title',
  body: 'record.field.body',
  text: 'record.field.text',
  note: 'record.field.note',
  reason: 'record.field.reason',
  level: 'record.field.level',
  expiresAt: 'record.field.expiresAt',
  ackWithinSeconds: 'record.field.ackWithin',
  method: 'record.field.method',
  person: 'record.field.person',
  phone: 'record.field.phone',
  at: 'record.field.at',
  name: 'record.field.name',
  username: 'record.field.username',
  password: 'record.field.password',
  kind: 'record.field.kind',
  talkgroup: 'record.field.talkgroup',
};

/**
 * The server's English messages that say more than their code does, by a stable fragment
 * (the message texts are part of the API's tests, so these do not drift silently).
 */
const MESSAGE_KEYS: [RegExp, MessageKey][] = [
  [/wrong username or password/i, 'record.err.badLogin'],
  [/choose all: true, siteIds or groupIds/i, 'record.err.targets'],
  [/required when acting on behalf/i, 'record.err.onBehalfNote'],
  [/only when acknowledging on behalf/i, 'record.err.onBehalfOnly'],
  [
    /not waiting for this directive|no longer waiting|none of these sites is waiting/i,
    'record.err.notWaiting',
  ],
  [/is cancelled/i, 'record.err.directiveCancelled'],
  [/is closed/i, 'record.err.directiveClosed'],
  [/expired/i, 'record.err.expired'],
  [/outside your scope|only for their own site/i, 'record.err.outOfScope'],
  [/must be in the future/i, 'record.err.future'],
  [/at most|too long|too big/i, 'record.err.tooLong'],
  [/required|must not be empty/i, 'record.err.required'],
];

/** Messages that need the field's name before them to make sense; the others are whole sentences. */
const FIELD_GENERIC = new Set<MessageKey>([
  'record.err.future',
  'record.err.tooLong',
  'record.err.required',
  'record.err.fieldInvalid',
]);

const LATIN_WORD = /[A-Za-z]{4,}/;

function dictionary(): Record<MessageKey, string> {
  return typeof document !== 'undefined' && document.documentElement.lang === 'en' ? en : zh;
}

function byMessage(message: string): MessageKey | undefined {
  return MESSAGE_KEYS.find(([re]) => re.test(message))?.[1];
}

/**
 * A refused request in the user's language. English users read the server's own message;
 * everyone else reads a translation of its code, fields and known messages, never English.
 */
export function localizeError(facts: ErrorFacts): string {
  const d = dictionary();
  if (d === en) return facts.message;
  if (facts.path === '/auth/login' && facts.status === 401) return d['record.err.badLogin'];
  if (facts.fields?.length) {
    return facts.fields
      .map((f) => {
        const what = byMessage(f.message) ?? 'record.err.fieldInvalid';
        if (!FIELD_GENERIC.has(what)) return d[what];
        const key = FIELD_KEYS[f.path.split('.')[0] ?? ''];
        return `${key ? d[key] : d['record.field.other']}：${d[what]}`;
      })
      .join('；');
  }
  const known = byMessage(facts.message);
  if (known && facts.status < 500) return d[known];
  const code = facts.code ?? STATUS_CODES[facts.status];
  if (code && CODE_KEYS[code]) return d[CODE_KEYS[code]];
  return facts.status >= 500 ? d['record.err.server'] : d['record.err.failed'];
}

/** An error that is not an API answer: a lost network, or a message from a socket acknowledgement. */
export function localizeOther(err: unknown): string {
  const d = dictionary();
  const message = err instanceof Error ? err.message : String(err);
  if (d === en) return message;
  if (err instanceof TypeError && /fetch|network/i.test(message)) return d['record.err.network'];
  const known = byMessage(message);
  if (known) return d[known];
  return LATIN_WORD.test(message) ? d['record.err.failed'] : message;
}
