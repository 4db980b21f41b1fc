import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { FileInbox, type InboxEntry } from './inbox.js';

const entry = (n: number): InboxEntry => ({
  topic: 'directives',
  message: {
    messageId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    directiveId: `d${n}`,
    serial: `S-${n}`,
    title: `title ${n}`,
    body: '',
    level: 'red',
    issuedAt: new Date().toISOString(),
    expiresAt: null,
    drill: false,
  },
  state: 'received',
  arrivedAt: new Date().toISOString(),
  shown: false,
});

describe('FileInbox', () => {
  it('keeps entries and their ack state across a reopen, in arrival order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'inbox-'));
    const a = new FileInbox(dir);
    a.add(entry(1));
    a.add(entry(2));
    a.update(entry(1).message.messageId, { state: 'acknowledged', shown: true });
    // no close(): what a kill -9 leaves behind
    const b = new FileInbox(dir);
    expect(b.list().map((e) => [e.message.serial, e.state, e.shown])).toEqual([
      ['S-1', 'acknowledged', true],
      ['S-2', 'received', false],
    ]);
  });

  it('de-duplicates by messageId', () => {
    const inbox = new FileInbox(mkdtempSync(join(tmpdir(), 'inbox-')));
    inbox.add(entry(1));
    inbox.add({ ...entry(1), state: 'acknowledged' });
    expect(inbox.list()).toHaveLength(1);
    expect(inbox.get(entry(1).message.messageId)!.state).toBe('received');
  });

  it('ignores a torn last line (power cut mid-write) and keeps the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'inbox-'));
    const a = new FileInbox(dir);
    a.add(entry(1));
    appendFileSync(join(dir, 'inbox.jsonl'), '{"op":"add","entry":{"topic":"direc');
    const b = new FileInbox(dir);
    expect(b.list().map((e) => e.message.serial)).toEqual(['S-1']);
    b.add(entry(2));
    expect(new FileInbox(dir).list().map((e) => e.message.serial)).toEqual(['S-1', 'S-2']);
  });

  it('compacts a long journal without losing state', () => {
    const dir = mkdtempSync(join(tmpdir(), 'inbox-'));
    const inbox = new FileInbox(dir);
    for (let i = 0; i < 3000; i++) {
      inbox.add(entry(i));
      inbox.update(entry(i).message.messageId, { shown: true });
    }
    expect(readFileSync(join(dir, 'inbox.jsonl'), 'utf8').split('\n').length).toBeLessThan(6001);
    const reopened = new FileInbox(dir);
    expect(reopened.list()).toHaveLength(3000);
    expect(reopened.list().every((e) => e.shown)).toBe(true);
  });
});
