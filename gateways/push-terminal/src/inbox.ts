import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { TerminalDirectiveMessage, TerminalNoticeMessage } from '#contracts';

export type AckState = 'received' | 'acknowledged';

/** One message in the inbox, whichever topic brought it. */
export type InboxEntry =
  | {
      topic: 'directives';
      message: TerminalDirectiveMessage;
      state: AckState;
      arrivedAt: string;
      shown: boolean;
    }
  | { topic: 'notices'; message: TerminalNoticeMessage; state: AckState; arrivedAt: string; shown: boolean };

/** What the agent needs from an inbox: durable before it acks, de-duplicated by messageId. */
export interface Inbox {
  get(messageId: string): InboxEntry | undefined;
  /** all entries in arrival order */
  list(): InboxEntry[];
  /** stores a new entry; it is on disk when this returns */
  add(entry: InboxEntry): void;
  update(messageId: string, change: Partial<Pick<InboxEntry, 'state' | 'shown'>>): void;
  close(): void;
}

/** For the load simulator: the same rules, in memory. */
export class MemoryInbox implements Inbox {
  private readonly entries = new Map<string, InboxEntry>();
  get(messageId: string) {
    return this.entries.get(messageId);
  }
  list() {
    return [...this.entries.values()];
  }
  add(entry: InboxEntry) {
    this.entries.set(entry.message.messageId, entry);
  }
  update(messageId: string, change: Partial<Pick<InboxEntry, 'state' | 'shown'>>) {
    const e = this.entries.get(messageId);
    if (e) Object.assign(e, change);
  }
  close() {}
}

type JournalLine =
  | { op: 'add'; entry: InboxEntry }
  | { op: 'set'; messageId: string; change: Partial<Pick<InboxEntry, 'state' | 'shown'>> };

const COMPACT_AFTER_LINES = 5000;

/**
 * The agent's inbox on disk: an append-only journal (one JSON line per change), fsynced
 * before the agent acks anything, so a kill -9 or a power cut never loses a message it
 * said it received. A torn last line (the cut came mid-write) is ignored on load; the hub
 * re-sends that message, since its `received` never went out. The journal is rewritten
 * compactly (write, fsync, rename) when it grows long.
 */
export class FileInbox implements Inbox {
  private readonly entries = new Map<string, InboxEntry>();
  private fd: number;
  private lines = 0;
  private readonly path: string;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, 'inbox.jsonl');
    this.load();
    this.fd = openSync(this.path, 'a');
  }

  private load(): void {
    let text = '';
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const end = text.lastIndexOf('\n') + 1;
    if (end < text.length) {
      // a torn write at the end (the cut came mid-line): cut it off, or the next line would be glued to it
      truncateSync(this.path, Buffer.byteLength(text.slice(0, end)));
      text = text.slice(0, end);
    }
    for (const raw of text.split('\n')) {
      if (!raw.trim()) continue;
      let line: JournalLine;
      try {
        line = JSON.parse(raw) as JournalLine;
      } catch {
        continue; // unreadable line (a torn write that was later followed): skip it
      }
      this.lines++;
      if (line.op === 'add') this.entries.set(line.entry.message.messageId, line.entry);
      else {
        const e = this.entries.get(line.messageId);
        if (e) Object.assign(e, line.change);
      }
    }
  }

  private append(line: JournalLine): void {
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
    fsyncSync(this.fd);
    if (++this.lines > COMPACT_AFTER_LINES) this.compact();
  }

  private compact(): void {
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    for (const entry of this.entries.values()) writeSync(fd, `${JSON.stringify({ op: 'add', entry })}\n`);
    fsyncSync(fd);
    closeSync(fd);
    closeSync(this.fd);
    renameSync(tmp, this.path);
    this.fd = openSync(this.path, 'a');
    this.lines = this.entries.size;
  }

  get(messageId: string) {
    return this.entries.get(messageId);
  }

  list() {
    return [...this.entries.values()];
  }

  add(entry: InboxEntry): void {
    if (this.entries.has(entry.message.messageId)) return;
    // in the map before the journal line: a compaction triggered by this line must include it
    this.entries.set(entry.message.messageId, entry);
    this.append({ op: 'add', entry });
  }

  update(messageId: string, change: Partial<Pick<InboxEntry, 'state' | 'shown'>>): void {
    const e = this.entries.get(messageId);
    if (!e) return;
    Object.assign(e, change);
    this.append({ op: 'set', messageId, change });
  }

  close(): void {
    closeSync(this.fd);
  }
}
