import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { InboxEntry } from './inbox.js';
import { safeBlock, safeLine } from './sanitize.js';
import { renderAcknowledged, renderEntry, renderPending, spokenText } from './view.js';

/** anything a terminal would act on rather than show */
const ACTIVE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const HOSTILE = [
  '\x1b[2J\x1b[H', // clear the screen, cursor home
  '\x1b[31;1m', // colour
  '\x07', // bell
  '\x1b]0;owned\x07', // window title (OSC, ended by BEL)
  '\x1b]8;;http://evil\x1b\\', // hyperlink (OSC, ended by ST)
  '\x9b2J', // C1 CSI: clear the screen on 8-bit terminals
  '\x9d0;owned\x9c', // C1 OSC ... ST
  '\x1bPq#0;2;0;0;0\x1b\\', // DCS (sixel)
  '\x1b(0', // line-drawing charset (nF escape)
  '\x1bc', // full reset
  '\u202e', // right-to-left override
  '\u2066\u2067\u2068\u2069\u200f\u061c', // isolates and marks
  '\r', // carriage return: overwrite the line
  '\x7f\x08', // DEL, backspace
];

describe('safeLine / safeBlock', () => {
  it.each(HOSTILE)('removes %j whole, leaving the text around it', (seq) => {
    const line = safeLine(`撤离${seq}转移`);
    expect(line).not.toMatch(ACTIVE);
    expect(line.startsWith('撤离')).toBe(true);
    expect(line.endsWith('转移')).toBe(true);
    expect(line).not.toContain('2J');
    expect(line).not.toContain('owned');
  });

  it('keeps line breaks and tabs in a block, not in a line', () => {
    expect(safeBlock('一\n二\r\n三\t四\u2028五')).toBe('一\n二\n三\t四\n五');
    expect(safeLine('一\n二\r\n三\t四')).toBe('一 二 三 四');
  });

  it('leaves ordinary Chinese, English and punctuation alone', () => {
    const text = '【防汛】请立即转移低洼地区群众 (Level II), 18:30 前完成。';
    expect(safeLine(text)).toBe(text);
  });
});

describe('every console view of a directive', () => {
  const title = `撤离\x1b[2J\x1b[31m\x07\x9b2J\u202egnp.exe\x1b]0;owned\x07`;
  const entry = {
    topic: 'directives',
    message: {
      messageId: randomUUID(),
      directiveId: 'd1',
      serial: `ZL-1\x1b[H\n2`,
      title,
      body: `第一行\x1b[2K\n第二行\x9d0;x\x9c`,
      level: `red\x1b[5m`,
      issuedAt: `2026-01-01T00:00:00Z\x07`,
      expiresAt: `2026-01-02T00:00:00Z\x1b[8m`,
      drill: false,
    },
    shown: false,
  } as unknown as InboxEntry;
  const unknownLevel = { ...entry, message: { ...entry.message, level: 'purple\x1b[5m' } } as InboxEntry;

  it('shows no control character: the main screen, `list`, the 签收 answer, speech', () => {
    for (const text of [
      renderEntry(entry, false),
      renderEntry(unknownLevel, false),
      renderPending(entry, 1)!,
      renderAcknowledged(entry)!,
      spokenText(entry),
    ]) {
      expect(text).not.toMatch(ACTIVE);
      expect(text).not.toContain('owned');
    }
    expect(renderPending(entry, 1)).toContain('撤离');
    expect(renderPending(entry, 1)).toContain('gnp.exe');
    // the screen's own colour codes stay: only the level label is painted
    const red = { ...entry, message: { ...entry.message, level: 'red' } } as InboxEntry;
    expect(renderEntry(red, true).match(/\x1b\[[0-9;]*m/g)).toEqual(['\x1b[41;97m', '\x1b[0m']);
    expect(renderEntry(unknownLevel, true).match(/\x1b\[[0-9;]*m/g)).toEqual(['\x1b[7m', '\x1b[0m']);
  });
});
