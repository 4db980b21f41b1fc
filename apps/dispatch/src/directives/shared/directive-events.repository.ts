import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RecipientState, TransitionVia } from '#contracts';

/** Anything that runs a statement: the DataSource, or the EntityManager of an open transaction. */
export type Queryable = Pick<EntityManager, 'query'>;

/** A row of a directive's history (`directive_events`); `siteId` null for the directive as a whole. */
export interface DirectiveEvent {
  directiveId: string;
  siteId: string | null;
  type: string;
  from: RecipientState | null;
  to: RecipientState | null;
  via: TransitionVia | null;
  actorId: string | null;
  deviceId: string | null;
  note: string | null;
  data?: Record<string, unknown>;
}

/** The column list of `directive_events` in the order of `eventColumns`. */
export const EVENT_COLUMNS =
  'directive_id, site_id, type, from_state, to_state, via, actor_id, device_id, note, data';

/** The SQL types of `eventColumns`, for unnest($n::type[], ...), numbered from `first`. */
export function eventUnnest(first: number): string {
  const types = [
    'uuid',
    'uuid',
    'varchar',
    'recipient_state',
    'recipient_state',
    'varchar',
    'uuid',
    'varchar',
    'text',
    'jsonb',
  ];
  return types.map((t, i) => `$${first + i}::${t}[]`).join(', ');
}

/** The history rows as the ten column arrays of a multi-row INSERT ... SELECT FROM unnest(...). */
export function eventColumns(events: DirectiveEvent[]): unknown[][] {
  return [
    events.map((e) => e.directiveId),
    events.map((e) => e.siteId),
    events.map((e) => e.type),
    events.map((e) => e.from),
    events.map((e) => e.to),
    events.map((e) => e.via),
    events.map((e) => e.actorId),
    events.map((e) => e.deviceId),
    events.map((e) => e.note),
    events.map((e) => (e.data ? JSON.stringify(e.data) : null)),
  ];
}

/** `directive_events`: the append-only history of directives and their recipients. */
@Injectable()
export class DirectiveEventsRepository {
  async insert(db: Queryable, events: DirectiveEvent[]): Promise<void> {
    if (events.length === 0) return;
    await db.query(
      `INSERT INTO directive_events (${EVENT_COLUMNS}) SELECT * FROM unnest(${eventUnnest(1)})`,
      eventColumns(events),
    );
  }
}
