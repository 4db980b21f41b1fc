import type { InboxEntry } from './inbox.js';

const LEVEL: Record<string, { label: string; color: string }> = {
  red: { label: '红色 RED', color: '\x1b[41;97m' },
  orange: { label: '橙色 ORANGE', color: '\x1b[48;5;208;30m' },
  yellow: { label: '黄色 YELLOW', color: '\x1b[43;30m' },
  blue: { label: '蓝色 BLUE', color: '\x1b[44;97m' },
  none: { label: '一般 NOTICE', color: '\x1b[7m' },
};
const RESET = '\x1b[0m';

/** Terminal control characters in directive text would let a sender rewrite the screen. */
function clean(text: string): string {
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '');
}

/**
 * The TTY display: one block per directive or notice, colour by level when the output is
 * a terminal, plain text otherwise (a log file, a test reading stdout).
 */
export function renderEntry(entry: InboxEntry, color: boolean): string {
  const paint = (c: string, s: string) => (color ? `${c}${s}${RESET}` : s);
  if (entry.topic === 'notices') {
    const m = entry.message;
    const head = m.kind === 'cancel' ? '指令已撤销 CANCELLED' : '指令更新 UPDATE';
    return [
      `=== ${head} ${clean(m.serial)} ===`,
      clean(m.text) || '(无说明 no reason given)',
      `ID ${m.messageId}`,
      '',
    ].join('\n');
  }
  const m = entry.message;
  const level = LEVEL[m.level] ?? { label: m.level.toUpperCase(), color: '\x1b[7m' };
  return [
    paint(level.color, ` ${level.label} `) + `${m.drill ? ' [演练 DRILL]' : ''}  ${clean(m.serial)}`,
    `【${clean(m.title)}】`,
    clean(m.body),
    `下达 issued ${m.issuedAt}${m.expiresAt ? `  有效至 expires ${m.expiresAt}` : ''}`,
    `ID ${m.messageId}`,
    '按回车签收 / press Enter to acknowledge (签收)',
    '',
  ].join('\n');
}

/** The words the loudspeaker says. */
export function spokenText(entry: InboxEntry): string {
  if (entry.topic === 'notices') {
    return entry.message.kind === 'cancel'
      ? `指令撤销。${entry.message.text}`
      : `指令更新。${entry.message.text}`;
  }
  const m = entry.message;
  return `${m.drill ? '演练。' : ''}${LEVEL[m.level]?.label.split(' ')[0] ?? ''}指令。${m.title}。${m.body}`;
}
