import { EventEmitter } from 'node:events';
import type { OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ComponentHealth } from '#contracts';

export type BusHandler<T = unknown> = (message: T) => void;

/**
 * Notifications between apps (dispatch, mqtt-bridge, sfu), e.g. "directive X changed".
 * Fire-and-forget: anything that must not be lost goes through the database and the job
 * queue; the bus only tells listeners to look.
 */
export abstract class EventBus {
  abstract readonly driver: string;
  abstract publish<T>(channel: string, message: T): Promise<void>;
  abstract subscribe<T>(channel: string, handler: BusHandler<T>): Promise<() => void>;
  abstract health(): Promise<ComponentHealth>;
}

export class InProcessEventBus extends EventBus {
  readonly driver = 'in-process';
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish<T>(channel: string, message: T): Promise<void> {
    // asynchronous like the Redis driver, so callers cannot come to rely on re-entrancy
    const copy = structuredClone(message);
    setImmediate(() => this.emitter.emit(channel, copy));
  }

  async subscribe<T>(channel: string, handler: BusHandler<T>): Promise<() => void> {
    this.emitter.on(channel, handler);
    return () => this.emitter.off(channel, handler);
  }

  async health(): Promise<ComponentHealth> {
    return { status: 'up', driver: this.driver };
  }
}

export class RedisEventBus extends EventBus implements OnApplicationShutdown {
  readonly driver = 'redis';
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly prefix: string;

  constructor(
    url: string,
    private readonly logger: Logger,
    namespace = 'yihu',
  ) {
    super();
    this.prefix = `${namespace}:bus:`;
    this.pub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
    this.sub = new Redis(url, { lazyConnect: false });
    this.pub.on('error', (err) => this.logger.warn({ err: err.message }, 'event bus publisher error'));
    this.sub.on('error', (err) => this.logger.warn({ err: err.message }, 'event bus subscriber error'));
    this.sub.on('message', (channel: string, raw: string) => {
      let message: unknown;
      try {
        message = JSON.parse(raw);
      } catch {
        this.logger.warn({ channel }, 'event bus dropped a message that is not JSON');
        return;
      }
      this.emitter.emit(channel.slice(this.prefix.length), message);
    });
  }

  async publish<T>(channel: string, message: T): Promise<void> {
    await this.pub.publish(this.prefix + channel, JSON.stringify(message));
  }

  async subscribe<T>(channel: string, handler: BusHandler<T>): Promise<() => void> {
    // SUBSCRIBE before the connection's ready check (INFO) has run puts the connection in
    // subscriber mode first; the check then fails and the subscription is lost (seen at start-up)
    if (this.sub.status !== 'ready')
      await new Promise<void>((resolve) => this.sub.once('ready', () => resolve()));
    if (this.emitter.listenerCount(channel) === 0) await this.sub.subscribe(this.prefix + channel);
    this.emitter.on(channel, handler);
    return () => {
      this.emitter.off(channel, handler);
      if (this.emitter.listenerCount(channel) === 0)
        void this.sub.unsubscribe(this.prefix + channel).catch(() => undefined);
    };
  }

  async health(): Promise<ComponentHealth> {
    try {
      await this.pub.ping();
      return { status: 'up', driver: this.driver };
    } catch (err) {
      return { status: 'down', driver: this.driver, error: (err as Error).message };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.pub.disconnect();
    this.sub.disconnect();
  }
}
