import { describe, expect, it } from '@jest/globals';
import type { EntityManager } from 'typeorm';
import type { AuditStore } from '#persistence';
import { DirectiveChanges } from './directive-changes.js';
import { DirectiveEventsRepository } from './directive-events.repository.js';
import type { OutboxRepository } from './outbox.repository.js';

describe('DirectiveChanges', () => {
  const setup = () => {
    const calls: string[] = [];
    const tx = {
      query: async (sql: string) => {
        calls.push(sql.trim().split(/\s+/).slice(0, 3).join(' '));
        return [];
      },
    } as unknown as EntityManager;
    const outbox = { insert: async () => void calls.push('outbox') } as unknown as OutboxRepository;
    const audit = { appendMany: async () => void calls.push('audit') } as unknown as AuditStore;
    return { calls, tx, changes: new DirectiveChanges(new DirectiveEventsRepository(), outbox, audit) };
  };

  it('writes history, then jobs, then the audit entries last (the audit lock is held shortest)', async () => {
    const { calls, tx, changes } = setup();
    await changes.record(tx, {
      audit: [{ actorId: null, action: 'a', subjectType: 'directive', subjectId: 'd' }],
      jobs: [{ name: 'j', data: {} }],
      events: [
        {
          directiveId: 'd',
          siteId: null,
          type: 'closed',
          from: null,
          to: null,
          via: 'system',
          actorId: null,
          deviceId: null,
          note: null,
        },
      ],
    });
    expect(calls).toEqual(['INSERT INTO directive_events', 'outbox', 'audit']);
  });

  it('writes nothing for an empty part', async () => {
    const { calls, tx, changes } = setup();
    await changes.record(tx, { events: [], jobs: [] });
    expect(calls).toEqual([]);
  });
});
