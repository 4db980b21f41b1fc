import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { TerminalDirectiveMessage } from '#contracts';
import type { StatementLane } from '#persistence';
import { EventBus, RUNTIME, trace, type Runtime } from '#platform';
import { PROCESS_ORIGIN, TERMINALS_OUTBOX, type TerminalsOutboxNotice } from './terminal-events.js';
import {
  TerminalOutboxRepository,
  type InsertedMessage,
  type TerminalMessageRow,
} from './terminal-outbox.repository.js';

export type { TerminalMessageRow } from './terminal-outbox.repository.js';

/** What the terminal channel needs to know about a directive to put it on terminals. */
export interface TerminalDirectiveInput {
  directiveId: string;
  serial: string;
  title: string;
  body: string;
  level: string;
  issuedAt: Date;
  expiresAt: Date | null;
  drill: boolean;
  /** a warning (预警) published through the directive (device-protocol-v1.md, additive) */
  warningId?: string;
}

export interface TerminalNoticeInput {
  directiveId: string;
  serial: string;
  kind: 'update' | 'cancel';
  text: string;
  at: Date;
  /** an update that moved the directive's validity: the new one (device-protocol-v1.md) */
  expiresAt?: Date | null;
}

export interface EnqueueOptions {
  /** join the caller's transaction (nothing is handed on; the caller notifies after commit) */
  tx?: EntityManager;
  kind?: 'push' | 'radio';
  /** the delivery job's messageId: one row per (terminal, source) */
  sourceId?: string;
  /** each committed chunk, for this process's bridge to send */
  onCommitted?: (rows: TerminalMessageRow[]) => void;
}

/**
 * Rows per INSERT when a directive is queued outside a caller's transaction. Each chunk
 * commits on its own and is handed to the bridge at once, so the first village hears the
 * directive while the rest of the 10,000 rows are still being written (written in one
 * statement, the first send waited 1.2–1.8 s on PGlite). Small first, to start soon, then
 * doubling up to MAX_CHUNK: fewer round trips through a busy event loop.
 */
const FIRST_CHUNK = 250;
const MAX_CHUNK = 2000;

/** `ids` cut into chunks: `first`, then each `grow(previous)` long. */
function chunked(ids: string[], first: number, grow: (size: number) => number): string[][] {
  const chunks: string[][] = [];
  for (let start = 0, size = first; start < ids.length; start += size, size = grow(size))
    chunks.push(ids.slice(start, start + size));
  return chunks;
}
const doubling = (size: number) => Math.min(size * 2, MAX_CHUNK);

/**
 * The per-terminal outbox (terminal_messages). A message is on disk before the broker
 * sees it; replay after any outage reads from here, never from the broker's queue.
 * Rows are unique per (terminal, source): `sourceId` is the delivery job's messageId, so a
 * retried job adds nothing while an escalation re-delivery (a new messageId) reaches the
 * terminal again.
 */
@Injectable()
export class TerminalOutbox {
  /** the embedded engine's own thread: chunks written there back to back (see enqueue) */
  private readonly lane: StatementLane | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly rows: TerminalOutboxRepository,
    @Inject(EventBus) private readonly bus: EventBus,
    @Inject(RUNTIME) runtime: Runtime,
  ) {
    this.lane = runtime.lane;
  }

  /**
   * Queues the directive for every live terminal in the sites (returns how many messages
   * it added: fewer, or none, on a retry), in chunks that each commit and go to
   * `onCommitted` (a crash between chunks leaves a prefix queued; the retried job adds the
   * rest). With `tx`, everything joins the caller's transaction instead and nothing is
   * handed on: the caller calls notify() after its commit.
   */
  async enqueue(
    input: TerminalDirectiveInput,
    siteIds: string[],
    options: EnqueueOptions = {},
  ): Promise<number> {
    const manager = options.tx ?? this.dataSource.manager;
    // the device contract's message, less the per-terminal messageId
    const base: Omit<TerminalDirectiveMessage, 'messageId'> = {
      directiveId: input.directiveId,
      serial: input.serial,
      title: input.title,
      body: input.body,
      level: input.level,
      issuedAt: input.issuedAt.toISOString(),
      expiresAt: input.expiresAt?.toISOString() ?? null,
      drill: input.drill,
      ...(input.warningId ? { kind: 'warning' as const, warningId: input.warningId } : {}),
    };
    const targets = await this.rows.liveTerminals(manager, siteIds, options.kind ?? null);
    trace('outbox.targets', { n: targets.length });
    // JSON of `base` after its opening brace: the INSERT and the rows handed to the bridge
    // splice the messageId in front of it the same way, so what is stored is what is sent
    const tail = JSON.stringify(base).slice(1);
    const shared = {
      directiveId: input.directiveId,
      sourceId: options.sourceId ?? input.directiveId,
      payloadTail: tail,
      expiresAt: input.expiresAt?.toISOString() ?? null,
    };
    const asRows = (inserted: InsertedMessage[]): TerminalMessageRow[] =>
      inserted.map((r) => ({
        id: r.id,
        terminal_id: r.terminal_id,
        topic: 'directives',
        payload: `{"messageId":"${r.id}",${tail}`,
        expires_at: input.expiresAt,
      }));
    const lane = options.tx ? undefined : this.lane;
    const write = (ids: string[]): Promise<InsertedMessage[]> => {
      const inserted = this.rows.insertDirectiveMessages(
        lane ?? manager,
        ids.map(() => randomUUID()),
        ids,
        shared,
      );
      inserted.catch(() => undefined); // awaited below, in order: the first failure throws
      return inserted;
    };
    const chunks = options.tx
      ? chunked(targets, MAX_CHUNK, () => MAX_CHUNK)
      : chunked(targets, FIRST_CHUNK, doubling);
    // How many chunks are in the database's hands at once. On the embedded engine's lane,
    // all of them: the engine's thread writes them back to back and each goes to the broker
    // as its commit arrives (over the socket each commit reached this thread only on a turn
    // of an event loop that a fan-out keeps busy, and the next chunk waited for it: the last
    // of a 10,000-terminal directive was committed at 1.3–1.7 s, 0.7 s on the lane). Over
    // the socket, one ahead: the next chunk goes to the database before this one goes to
    // the broker, so the database writes while this thread publishes.
    const writing = chunks.slice(0, lane ? chunks.length : 1).map(write);
    const handOff = options.tx ? undefined : options.onCommitted;
    // a count, not the rows: 10,000 rows with their payloads kept until the last chunk
    // commits were garbage the collector had to carry into the old generation mid-fan-out
    let added = 0;
    for (let i = 0; i < chunks.length; i++) {
      const rows = asRows(await writing[i]!);
      if (writing.length < chunks.length) writing.push(write(chunks[writing.length]!));
      added += rows.length;
      trace('outbox.committed', { n: rows.length });
      if (!handOff || !rows.length) continue;
      // over the socket, on the next turn: after the next chunk's query is written to it
      if (lane) handOff(rows);
      else setImmediate(() => handOff(rows));
    }
    return added;
  }

  /**
   * Queues an update or a cancellation for every terminal that was sent the directive
   * (of the given kind). A cancellation also withdraws the directive's messages not yet
   * acknowledged, so they are never replayed (they end as `expired`).
   */
  async enqueueNotice(
    input: TerminalNoticeInput,
    sourceId: string,
    kind: 'push' | 'radio',
    siteIds: string[] | null = null,
  ): Promise<TerminalMessageRow[]> {
    return this.dataSource.transaction(async (tx) => {
      const base = {
        directiveId: input.directiveId,
        serial: input.serial,
        kind: input.kind,
        text: input.text,
        at: input.at.toISOString(),
        ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt?.toISOString() ?? null } : {}),
      };
      const rows = await this.rows.insertNotices(tx, input.directiveId, sourceId, base, kind, siteIds);
      if (input.kind === 'cancel') await this.rows.withdrawUnacknowledged(tx, input.directiveId, kind);
      return rows;
    });
  }

  /** The directive's validity moved: its unexpired messages follow, in the caller's transaction. */
  moveExpiry(tx: EntityManager, directiveId: string, expiresAt: Date | null): Promise<number> {
    return this.rows.moveExpiry(tx, directiveId, expiresAt?.toISOString() ?? null);
  }

  /**
   * Tells every bridge (other processes too) that rows are queued for this directive.
   * `handedLocally`: this process's bridge has sent them to the shared broker already (every
   * bridge then skips the notice; see TerminalsOutboxNotice).
   */
  async notify(directiveId: string, handedLocally = false): Promise<void> {
    await this.bus.publish<TerminalsOutboxNotice>(TERMINALS_OUTBOX, {
      directiveId,
      ...(handedLocally ? { origin: PROCESS_ORIGIN } : {}),
    });
  }

  /** A fresh message id for callers that build their own directive ids (test calls). */
  static newDirectiveId(): string {
    return randomUUID();
  }
}
