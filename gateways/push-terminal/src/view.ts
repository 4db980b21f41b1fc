import type { InboxEntry } from './inbox.js';
import { safeBlock, safeLine } from './sanitize.js';

const LEVEL: Record<string, { label: string; color: string }> = {
  red: { label: '红色 RED', color: '\x1b[41;97m' },
  orange: { label: '橙色 ORANGE', color: '\x1b[48;5;208;30m' },
  yellow: { label: '黄色 YELLOW', color: '\x1b[43;30m' },
  blue: { label: '蓝色 BLUE', color: '\x1b[44;97m' },
  none: { label: '一般 NOTICE', color: '\x1b[7m' },
};
const RESET = '\x1b[0m';

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
      `=== ${head} ${safeLine(m.serial)} ===`,
      safeBlock(m.text) || '(无说明 no reason given)',
      `ID ${safeLine(m.messageId)}`,
      '',
    ].join('\n');
  }
  const m = entry.message;
  const level = LEVEL[m.level] ?? { label: safeLine(m.level).toUpperCase(), color: '\x1b[7m' };
  return [
    paint(level.color, ` ${level.label} `) + `${m.drill ? ' [演练 DRILL]' : ''}  ${safeLine(m.serial)}`,
    `【${safeLine(m.title)}】`,
    safeBlock(m.body),
    `下达 issued ${safeLine(m.issuedAt)}${m.expiresAt ? `  有效至 expires ${safeLine(m.expiresAt)}` : ''}`,
    `ID ${safeLine(m.messageId)}`,
    '按回车签收 / press Enter to acknowledge (签收)',
    '',
  ].join('\n');
}

/** One line of the console's `list`: the N-th directive waiting for 签收. */
export function renderPending(entry: InboxEntry, n: number): string | undefined {
  if (entry.topic !== 'directives') return undefined;
  const m = entry.message;
  return `${n}. ${safeLine(m.serial)} 【${safeLine(m.title)}】 ${safeLine(m.messageId)}`;
}

/** The console's answer to a 签收 typed on it. */
export function renderAcknowledged(entry: InboxEntry): string | undefined {
  if (entry.topic !== 'directives') return undefined;
  return `签收 ✓ acknowledged ${safeLine(entry.message.serial)} ${safeLine(entry.message.messageId)}`;
}

/** The words the loudspeaker says. */
export function spokenText(entry: InboxEntry): string {
  if (entry.topic === 'notices') {
    const text = safeLine(entry.message.text);
    return entry.message.kind === 'cancel' ? `指令撤销。${text}` : `指令更新。${text}`;
  }
  const m = entry.message;
  return `${m.drill ? '演练。' : ''}${LEVEL[m.level]?.label.split(' ')[0] ?? ''}指令。${safeLine(m.title)}。${safeLine(m.body)}`;
}
