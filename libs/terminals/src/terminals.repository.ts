import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { TerminalMessageState } from '#contracts';

/** A terminal's outbox row as its operator sees it (no payload). */
export interface TerminalMessageHistoryRow {
  id: string;
  directive_id: string;
  state: TerminalMessageState;
  created_at: Date;
  received_at: Date | null;
  acknowledged_at: Date | null;
  expires_at: Date | null;
}

/** Reads about provisioned terminals that the entities do not cover. */
@Injectable()
export class TerminalsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The terminal's latest `limit` messages, newest first. */
  async recentMessages(terminalId: string, limit: number): Promise<TerminalMessageHistoryRow[]> {
    return (await this.dataSource.query(
      `SELECT id, directive_id, state, created_at, received_at, acknowledged_at, expires_at
       FROM terminal_messages WHERE terminal_id = $1 ORDER BY seq DESC LIMIT $2`,
      [terminalId, limit],
    )) as TerminalMessageHistoryRow[];
  }
}
