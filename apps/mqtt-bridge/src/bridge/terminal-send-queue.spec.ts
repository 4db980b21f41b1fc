import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { RETRY_FIRST_MS } from './publish-retries.js';
import type { ClaimedRow, OutboxRead, OutboxRow } from './send-queue-outbox.js';
import { TerminalSendQueue, type SendQueueOptions } from './terminal-send-queue.js';

type State = 'queued' | 'sent' | 'received';
type Stored = ClaimedRow & { state: State };

/** The terminal outbox as an array, in seq order. */
class FakeOutbox {
  readonly rows: Stored[] = [];
  readonly marked: string[] = [];
  /** `which:terminals` of every read */
  readonly reads: string[] = [];
  /** while set, a `sent` mark is being written until this resolves */
  markGate: Promise<void> | undefined;

  add(terminal: string, id: string, expiresAt: Date | null = null): Stored {
    const row: Stored = {
      id,
      terminal_id: terminal,
      topic: 'directives',
      payload: id, // the payload names the message: what the link saw is what was sent
      expires_at: expiresAt,
      seq: String(this.rows.length + 1),
      state: 'queued',
    };
    this.rows.push(row);
    return row;
  }

  async claimReplays(ids: string[]): Promise<Set<string>> {
    return new Set(ids);
  }

  async read(which: OutboxRead, ids: string[]): Promise<OutboxRow[]> {
    this.reads.push(`${which}:${ids.join(',')}`);
    const states: State[] =
      which === 'replay'
        ? ['queued', 'sent', 'received']
        : which === 'unconfirmed'
          ? ['queued', 'sent']
          : ['queued'];
    return this.rows
      .filter((r) => ids.includes(r.terminal_id) && states.includes(r.state))
      .map(({ id, terminal_id, topic, payload, expires_at }) => ({
        id,
        terminal_id,
        topic,
        payload,
        expires_at,
      }));
  }

  async markSent(ids: string[]): Promise<void> {
    await this.markGate;
    this.marked.push(...ids);
  }
}

/** A broker link whose publishes settle when the test says so, or at once (`auto`). */
class FakeLink {
  auto = false;
  /** ids whose next publish the broker refuses */
  readonly refuse = new Set<string>();
  readonly published: string[] = [];
  private readonly pending: { id: string; resolve: () => void; reject: (err: Error) => void }[] = [];

  publish(_topic: string, payload: string): Promise<void> {
    this.published.push(payload);
    if (this.refuse.delete(payload)) return Promise.reject(new Error('quota exceeded'));
    if (this.auto) return Promise.resolve();
    return new Promise((resolve, reject) => this.pending.push({ id: payload, resolve, reject }));
  }

  /** what is being published now, oldest first */
  inFlight(): string[] {
    return this.pending.map((p) => p.id);
  }

  async ack(id: string): Promise<void> {
    const i = this.pending.findIndex((p) => p.id === id);
    if (i < 0) throw new Error(`${id} is not being published`);
    this.pending.splice(i, 1)[0]!.resolve();
    await settle();
  }

  async fail(id: string): Promise<void> {
    const i = this.pending.findIndex((p) => p.id === id);
    if (i < 0) throw new Error(`${id} is not being published`);
    this.pending.splice(i, 1)[0]!.reject(new Error('connection closed'));
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** past the outbox read's batching delay (20 ms) and the reads themselves */
async function afterFlush(): Promise<void> {
  await jest.advanceTimersByTimeAsync(25);
  await settle();
}

function setup(overrides: Partial<SendQueueOptions> = {}) {
  const outbox = new FakeOutbox();
  const link = new FakeLink();
  const sendable = new Set(['t1', 't2']);
  const logger = { warn: jest.fn(), error: jest.fn() };
  const queue = new TerminalSendQueue({
    outbox,
    canSend: (id) => sendable.has(id),
    connectionEvents: () => true,
    followUpMs: 10_000,
    published: () => undefined,
    logger: logger as unknown as SendQueueOptions['logger'],
    ...overrides,
  });
  queue.link = link;
  return { queue, outbox, link, sendable, logger };
}

describe('TerminalSendQueue', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-12-01T08:00:00Z') });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('sends each terminal its messages in order, one at a time, terminals side by side', async () => {
    const { queue, outbox, link } = setup();
    queue.queued([outbox.add('t1', 'a1'), outbox.add('t2', 'b1'), outbox.add('t1', 'a2')]);
    // a later batch waits behind the message in flight
    queue.queued([outbox.add('t1', 'a3')]);
    expect(link.inFlight()).toEqual(['a1', 'b1']);
    await link.ack('a1');
    expect(link.inFlight()).toEqual(['b1', 'a2']);
    await link.ack('a2');
    await link.ack('a3');
    await link.ack('b1');
    expect(link.published).toEqual(['a1', 'b1', 'a2', 'a3']);
  });

  it('sends nothing before a link is attached', () => {
    const { queue, outbox, link } = setup();
    queue.link = undefined;
    queue.queued([outbox.add('t1', 'a1')]);
    expect(link.published).toEqual([]);
  });

  it('drops what waits for a terminal that went offline, and sends nothing to one that is', async () => {
    const { queue, outbox, link, sendable } = setup();
    queue.queued([outbox.add('t1', 'a1'), outbox.add('t1', 'a2')]);
    sendable.delete('t1');
    await link.ack('a1');
    queue.queued([outbox.add('t1', 'a3')]);
    expect(link.published).toEqual(['a1']);
    // left to the next replay or sweep: no longer held as in flight
    expect(queue.inFlightIds()).not.toContain('a2');
  });

  it('drops a message that expired while it waited', async () => {
    const { queue, outbox, link } = setup();
    const soon = new Date(Date.now() + 1000);
    queue.queued([outbox.add('t1', 'a1'), outbox.add('t1', 'a2', soon), outbox.add('t1', 'a3')]);
    await jest.advanceTimersByTimeAsync(1000);
    await link.ack('a1');
    expect(link.inFlight()).toEqual(['a3']);
  });

  it('after a failed publish sends nothing past it, then retries everything in order, doubling the delay', async () => {
    const { queue, outbox, link } = setup();
    const rows = [outbox.add('t1', 'a1'), outbox.add('t1', 'a2')];
    link.refuse.add('a1');
    queue.queued(rows);
    await settle();
    expect(link.published).toEqual(['a1']);
    // what comes meanwhile waits for the retry too: nothing overtakes the failed message
    queue.queued([outbox.add('t1', 'a3')]);
    queue.sendClaimed([{ ...rows[1]!, seq: rows[1]!.seq }]);
    await jest.advanceTimersByTimeAsync(RETRY_FIRST_MS - 1);
    expect(link.published).toEqual(['a1']);
    await afterFlush();
    expect(link.inFlight()).toEqual(['a1']);
    // fails again: the next retry waits twice as long
    await link.fail('a1');
    await jest.advanceTimersByTimeAsync(2 * RETRY_FIRST_MS - 1);
    expect(link.published).toEqual(['a1', 'a1']);
    await afterFlush();
    link.auto = true;
    await link.ack('a1');
    expect(link.published).toEqual(['a1', 'a1', 'a1', 'a2', 'a3']);
    expect(outbox.reads).toEqual(['replay:t1', 'replay:t1']);
  });

  it('a replay sends again what was picked before it was asked for, not what was picked after', async () => {
    const { queue, outbox, link } = setup();
    queue.queued([outbox.add('t1', 'before')]);
    queue.replay('t1');
    // picked for the connection the replay is for: the replay must not add a copy
    queue.queued([outbox.add('t1', 'after')]);
    await afterFlush();
    link.auto = true;
    await link.ack('before');
    expect(link.published).toEqual(['before', 'after', 'before']);
  });

  it('a sweep leaves alone what a replay has in hand: queued, publishing, or published and not yet marked', async () => {
    const { queue, outbox, link } = setup();
    const [a1, a2] = [outbox.add('t1', 'a1'), outbox.add('t1', 'a2')];
    const claimed = () => [a1!, a2!].map((r) => ({ ...r }));
    queue.replay('t1');
    await afterFlush();
    // replay rows are not in flight: a1 publishing, a2 queued behind it
    expect(queue.inFlightIds()).toEqual([]);
    queue.sendClaimed(claimed());
    await link.ack('a1');
    // a1 published (its `sent` mark pending), a2 publishing
    queue.sendClaimed(claimed());
    await link.ack('a2');
    queue.sendClaimed(claimed());
    expect(link.published).toEqual(['a1', 'a2']);
    // what it does not hold goes out
    queue.sendClaimed([{ ...outbox.add('t1', 'a3') }]);
    expect(link.inFlight()).toEqual(['a3']);
  });

  it('a sweep leaves alone a first send until its `sent` mark is written', async () => {
    const { queue, outbox, link } = setup();
    const a1 = outbox.add('t1', 'a1');
    let written!: () => void;
    outbox.markGate = new Promise((resolve) => (written = resolve));
    link.auto = true;
    queue.queued([a1]);
    await settle();
    // the mark is being written: the row is no longer `unmarked`, still picked
    await jest.advanceTimersByTimeAsync(500);
    queue.sendClaimed([{ ...a1 }]);
    await settle();
    expect(link.published).toEqual(['a1']);
    written();
    await settle();
    expect(outbox.marked).toEqual(['a1']);
    queue.sendClaimed([{ ...a1 }]);
    await settle();
    expect(link.published).toEqual(['a1', 'a1']);
  });

  it('a sweep during a retry sends nothing the retry is sending, nor anything while the retry is pending', async () => {
    const { queue, outbox, link } = setup();
    const claimed = (...rows: Stored[]) => rows.map((r) => ({ ...r }));
    const [a1, a2] = [outbox.add('t1', 'a1'), outbox.add('t1', 'a2')];
    link.refuse.add('a1');
    queue.queued([a1!, a2!]);
    await settle();
    // the retry is pending: it will replay both
    queue.sendClaimed(claimed(a1!, a2!));
    expect(link.published).toEqual(['a1']);
    await jest.advanceTimersByTimeAsync(RETRY_FIRST_MS);
    // the retry is reading the outbox: what the sweep claimed is in that read
    queue.sendClaimed(claimed(a1!, a2!));
    expect(link.published).toEqual(['a1']);
    await afterFlush();
    // the retry's rows are replays (not in flight): a1 publishing, a2 queued behind it
    expect(queue.inFlightIds()).toEqual([]);
    queue.sendClaimed(claimed(a1!, a2!));
    await link.ack('a1');
    queue.sendClaimed(claimed(a1!, a2!));
    await link.ack('a2');
    queue.sendClaimed(claimed(a1!, a2!));
    expect(link.published).toEqual(['a1', 'a1', 'a2']);
  });

  it('writes no `sent` mark for a message the device acked first', async () => {
    const { queue, outbox, link } = setup();
    link.auto = true;
    queue.queued([outbox.add('t1', 'a1'), outbox.add('t1', 'a2')]);
    await settle();
    queue.confirmed('t1', 'a1');
    await jest.advanceTimersByTimeAsync(500);
    await settle();
    expect(outbox.marked).toEqual(['a2']);
  });

  it('follows up an external broker’s replay with what is still unconfirmed, once, if anything was sent', async () => {
    const { queue, outbox, link } = setup({ connectionEvents: () => false });
    link.auto = true;
    outbox.add('t1', 'a1');
    outbox.add('t1', 'a2').state = 'received';
    queue.replay('t1');
    queue.replay('t2'); // nothing to send: no follow-up
    await afterFlush();
    expect(link.published).toEqual(['a1', 'a2']);
    queue.followUpDue();
    await afterFlush();
    expect(link.published).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(10_000);
    queue.followUpDue();
    await afterFlush();
    expect(outbox.reads).toEqual(['replay:t1,t2', 'unconfirmed:t1']);
    expect(link.published).toEqual(['a1', 'a2', 'a1']);
    queue.followUpDue();
    await afterFlush();
    expect(link.published).toHaveLength(3);
  });

  it('sends a message queued after a replay read when the device says `online` again in the same batch', async () => {
    // an external broker: the device's `online` comes twice (its retained one and a live
    // one, seconds apart under load); the second finds this bridge's own claim fresh
    const { queue, outbox, link } = setup({ connectionEvents: () => false });
    link.auto = true;
    const held = new Set<string>();
    outbox.claimReplays = async (ids) => {
      const won = ids.filter((id) => !held.has(id));
      for (const id of won) held.add(id);
      return new Set(won);
    };
    queue.replay('t1'); // the first `online`: claimed, read, nothing there yet
    await afterFlush();
    expect(outbox.reads).toEqual(['replay:t1']);
    outbox.add('t1', 'a1'); // a directive committed just after that read
    queue.replay('t1'); // the second `online`, not claimed (the first claim is fresh)
    queue.sendQueued('t1'); // and the outbox notice of a1, in the same batch
    await afterFlush();
    // the notice's read was dropped with the unclaimed replay: a1 waited for the straggler
    // sweep (10–20 s), and the follow-up skipped the terminal (nothing had been sent)
    expect(link.published).toEqual(['a1']);
  });

  it('stop waits for the sends under way', async () => {
    const { queue, outbox, link } = setup();
    queue.queued([outbox.add('t1', 'a1')]);
    let stopped = false;
    const stopping = queue.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    await link.ack('a1');
    await jest.advanceTimersByTimeAsync(1);
    await stopping;
    expect(outbox.marked).toEqual(['a1']);
  });
});
