import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { DIRECTIVE_EVENTS, type DirectiveBoardPayload } from '#contracts';
import { AppConfig, LOGGER } from '#platform';
import { boardRoom, RealtimeServer } from './realtime.js';
import { countsOf, toRecipientView } from './views.js';
import { BoardRepository } from './board.repository.js';

/** At most this many board messages a second per directive, however many recipients change. */
export const BOARD_MAX_PER_SECOND = 10;
const MIN_GAP_MS = 1000 / BOARD_MAX_PER_SECOND;

interface PendingBoard {
  siteIds: Set<string>;
  timer: NodeJS.Timeout | null;
  lastFlush: number;
}

/**
 * The dispatcher's live board. Changes are coalesced per directive: the first change is
 * sent at once, later ones wait for the 100 ms gap and go together, read fresh from the
 * database (so the board never shows a state that was not committed).
 */
@Injectable()
export class BoardService implements OnApplicationShutdown {
  private readonly boards = new Map<string, PendingBoard>();

  constructor(
    private readonly reads: BoardRepository,
    private readonly realtime: RealtimeServer,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  changed(directiveId: string, siteIds: Iterable<string>): void {
    let board = this.boards.get(directiveId);
    if (!board) {
      board = { siteIds: new Set(), timer: null, lastFlush: 0 };
      this.boards.set(directiveId, board);
    }
    for (const id of siteIds) board.siteIds.add(id);
    if (board.timer) return;
    const wait = Math.max(0, board.lastFlush + MIN_GAP_MS - Date.now());
    board.timer = setTimeout(() => void this.flush(directiveId), wait);
  }

  onApplicationShutdown(): void {
    for (const board of this.boards.values()) if (board.timer) clearTimeout(board.timer);
    this.boards.clear();
  }

  private watched(directiveId: string): boolean {
    if (!this.realtime.ready) return false;
    // without Redis every watcher is on this instance; with it, rooms span instances
    if (this.config.raw.REDIS_URL) return true;
    return (this.realtime.io.sockets.adapter.rooms.get(boardRoom(directiveId))?.size ?? 0) > 0;
  }

  private async flush(directiveId: string): Promise<void> {
    const board = this.boards.get(directiveId);
    if (!board) return;
    const siteIds = [...board.siteIds];
    board.siteIds.clear();
    board.lastFlush = Date.now();
    try {
      if (siteIds.length && this.watched(directiveId)) {
        const payload = await this.snapshot(directiveId, siteIds);
        if (payload) this.realtime.io.to(boardRoom(directiveId)).emit(DIRECTIVE_EVENTS.board, payload);
      }
    } catch (err) {
      this.logger.warn({ err, directiveId }, 'board update failed');
    } finally {
      board.timer = null;
      if (board.siteIds.size > 0) this.changed(directiveId, []);
      else this.boards.delete(directiveId);
    }
  }

  /** The board's state: counts, status and the given recipients (all of them when siteIds is null). */
  async snapshot(directiveId: string, siteIds: string[] | null): Promise<DirectiveBoardPayload | null> {
    const head = await this.reads.head(directiveId);
    if (!head) return null;
    const counts = await this.reads.countsByState(directiveId);
    const rows = await this.reads.recipients(directiveId, siteIds);
    return {
      directiveId,
      status: head.status,
      counts: countsOf(counts),
      recipients: rows.map((r) => toRecipientView(r, head.ackBy)),
    };
  }
}
