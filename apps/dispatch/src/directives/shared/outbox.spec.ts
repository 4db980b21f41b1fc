import { describe, expect, it } from '@jest/globals';
import pino from 'pino';
import type { ComponentHealth } from '#contracts';
import { type AppConfig, JobQueue, type JobOptions } from '#platform';
import { DirectiveOutbox, FAN_OUT_DELIVERY } from './outbox.js';
import type { OutboxRepository, OutboxRow } from './outbox.repository.js';

/** a queue that records what it is given; handlers registered as in a process */
class RecordingQueue extends JobQueue {
  readonly driver = 'recording';
  readonly added: { name: string; key?: string }[] = [];
  readonly data: { name: string; data: unknown }[] = [];
  async add<T>(name: string, data: T, options?: JobOptions): Promise<void> {
    this.added.push({ name, key: options?.key });
    this.data.push({ name, data });
  }
  async health(): Promise<ComponentHealth> {
    return { status: 'up', driver: this.driver };
  }
}

describe('DirectiveOutbox fan-out', () => {
  const relay = async (
    kind: 'directive' | 'update' | 'cancel',
    o: {
      handlers?: string[];
      declared?: string[];
      radioBroadcastDeclared?: boolean;
      data?: Record<string, unknown>;
      queue?: RecordingQueue;
    },
  ) => {
    const row: OutboxRow = {
      id: '1',
      job_name: FAN_OUT_DELIVERY,
      data: { kind, directiveId: 'd', messageId: 'm', siteIds: [], ...o.data },
      job_key: 'deliver:m',
      delay_ms: 0,
    };
    let claimed = false;
    const rows = {
      claim: async () => (claimed ? [] : ((claimed = true), [row])),
      remove: async () => undefined,
    } as unknown as OutboxRepository;
    const jobs = o.queue ?? new RecordingQueue();
    for (const name of o.handlers ?? []) if (!jobs.hasHandler(name)) jobs.handle(name, async () => undefined);
    const config = {
      raw: {
        DELIVERY_CHANNELS: o.declared ?? [],
        RADIO_BROADCAST_DECLARED: o.radioBroadcastDeclared ?? false,
      },
    } as unknown as AppConfig;
    await new DirectiveOutbox(rows, jobs, config, pino({ level: 'silent' })).relayAll();
    return jobs.added;
  };

  it('writes the radio broadcast beside the deliveries of a directive, keyed per message', async () => {
    const added = await relay('directive', {
      handlers: ['directive.deliver.console', 'directive.broadcast.radio'],
      declared: ['terminal', 'radio'],
    });
    // the broadcast first: the queue runs jobs in the order written
    expect(added).toEqual([
      { name: 'directive.broadcast.radio', key: 'deliver:m:directive.broadcast.radio' },
      { name: 'directive.deliver.console', key: 'deliver:m:directive.deliver.console' },
      { name: 'directive.deliver.terminal', key: 'deliver:m:directive.deliver.terminal' },
      { name: 'directive.deliver.radio', key: 'deliver:m:directive.deliver.radio' },
    ]);
  });

  it('speaks an update and a cancellation too, keyed per message', async () => {
    for (const kind of ['update', 'cancel'] as const) {
      const added = await relay(kind, {
        handlers: ['directive.deliver.console', 'directive.broadcast.radio'],
      });
      expect(added).toEqual([
        { name: 'directive.broadcast.radio', key: 'deliver:m:directive.broadcast.radio' },
        { name: 'directive.deliver.console', key: 'deliver:m:directive.deliver.console' },
      ]);
    }
  });

  it('writes it for a separate SFU only when declared', async () => {
    const without = await relay('directive', { handlers: ['directive.deliver.console'] });
    expect(without.map((a) => a.name)).toEqual(['directive.deliver.console']);
    const declared = await relay('directive', {
      handlers: ['directive.deliver.console'],
      radioBroadcastDeclared: true,
    });
    expect(declared.map((a) => a.name)).toEqual(['directive.broadcast.radio', 'directive.deliver.console']);
  });

  it('speaks a pass of re-delivery (one message per deadline) once: the first message for all its sites, the others not', async () => {
    const queue = new RecordingQueue();
    const handlers = ['directive.deliver.console', 'directive.broadcast.radio'];
    // escalation's pass: the original township's deadline, then the added one's
    await relay('directive', {
      handlers,
      queue,
      data: { messageId: 'm1', siteIds: ['original'], radioSiteIds: ['original', 'added'] },
    });
    await relay('directive', {
      handlers,
      queue,
      data: { messageId: 'm2', siteIds: ['added'], radioSiteIds: [] },
    });
    const spoken = queue.data.filter((j) => j.name === 'directive.broadcast.radio');
    expect(spoken).toHaveLength(1);
    expect(spoken[0]!.data).toMatchObject({ messageId: 'm1', siteIds: ['original', 'added'] });
    // each message still reaches the consoles with its own sites, and no channel sees the field
    const delivered = queue.data.filter((j) => j.name === 'directive.deliver.console');
    expect(delivered.map((j) => (j.data as { siteIds: string[] }).siteIds)).toEqual([
      ['original'],
      ['added'],
    ]);
    for (const j of queue.data) expect(j.data).not.toHaveProperty('radioSiteIds');
  });
});
