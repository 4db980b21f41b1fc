import { type DynamicModule, Global, Inject, Module, type OnModuleInit, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import { JwtModule, JwtService } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { join } from 'node:path';
import { AuditAnchorFile, AuditStore } from '#persistence';
import { AuditAnchorWriter } from './audit/audit-anchor.writer.js';
import { ActorResolver } from './auth/actor-resolver.js';
import { AuthGuard } from './auth/auth.guard.js';
import { DenialAudit } from './auth/denial-audit.js';
import { EventBus, InProcessEventBus, RedisEventBus } from './bus/event-bus.js';
import { AppConfig } from './config/app-config.js';
import { databaseCheck } from './health/database-check.js';
import { HealthController } from './health/health.controller.js';
import { HealthRegistry } from './health/health-registry.js';
import { HttpExceptionFilter } from './http/exception.filter.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { Metrics } from './metrics/metrics.js';
import { BULL_QUEUE_NAME, BullJobHost, BullJobQueue } from './queue/bull-job-queue.js';
import { DbJobQueue } from './queue/db-job-queue.js';
import { JobQueue } from './queue/job-queue.js';
import { CounterStore, MemoryCounterStore, RedisCounterStore } from './rate-limit/counter-store.js';
import { MemorySocketCountStore, RedisSocketCountStore } from './realtime/socket-count-store.js';
import { SocketLimits } from './realtime/socket-limits.js';
import { LOGGER, RUNTIME, type Runtime } from './runtime.js';

/** Registers the checks for the parts this module owns. */
class PlatformHealth implements OnModuleInit {
  constructor(
    private readonly registry: HealthRegistry,
    private readonly dataSource: DataSource,
    private readonly jobs: JobQueue,
    private readonly bus: EventBus,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  onModuleInit(): void {
    const driver = this.config.mode === 'embedded' ? 'pglite' : 'postgres';
    this.registry.register('database', databaseCheck(this.dataSource, driver, this.runtime.engine));
    this.registry.register('queue', () => this.jobs.health());
    this.registry.register('bus', () => this.bus.health());
  }
}

/**
 * The shared runtime every app is built on: config, logging, database, auth, queue, bus,
 * health and metrics, each with its embedded or cluster driver chosen from the config.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(runtime: Runtime): DynamicModule {
    const { config, logger, dataSource } = runtime;
    const redisUrl = config.raw.REDIS_URL;

    const queueImports = redisUrl
      ? [
          BullModule.forRoot({
            // BullMQ's queues and workers log connection errors (BullJobQueue.connectionError)
            connection: new Redis(redisUrl, { maxRetriesPerRequest: null }).on('error', () => undefined),
            prefix: config.raw.REDIS_PREFIX,
          }),
          BullModule.registerQueue({ name: BULL_QUEUE_NAME }),
        ]
      : [];
    const queueProviders: Provider[] = redisUrl
      ? [
          {
            provide: JobQueue,
            useFactory: (queue: Queue) => new BullJobQueue(queue, logger),
            inject: [getQueueToken(BULL_QUEUE_NAME)],
          },
          BullJobHost,
        ]
      : [
          {
            provide: JobQueue,
            useFactory: () => new DbJobQueue(dataSource, logger, config.mode === 'embedded'),
          },
        ];

    return {
      module: PlatformModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSource.options,
          dataSourceFactory: async () => dataSource,
        }),
        JwtModule.register({ secret: config.jwtSecret }),
        ...queueImports,
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: RUNTIME, useValue: runtime },
        { provide: AppConfig, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: Metrics, useValue: new Metrics(runtime.service) },
        HealthRegistry,
        {
          provide: AuditStore,
          useFactory: () =>
            new AuditStore(dataSource, {
              key: config.auditKey,
              anchor: new AuditAnchorFile(join(config.dataDir, 'audit-anchor.json')),
            }),
        },
        AuditAnchorWriter,
        {
          provide: ActorResolver,
          useFactory: (jwt: JwtService, bus: EventBus) => new ActorResolver(jwt, dataSource, bus),
          inject: [JwtService, EventBus],
        },
        {
          provide: EventBus,
          useFactory: () =>
            redisUrl ? new RedisEventBus(redisUrl, logger, config.raw.REDIS_PREFIX) : new InProcessEventBus(),
        },
        {
          provide: CounterStore,
          useFactory: () =>
            redisUrl ? new RedisCounterStore(redisUrl, config.raw.REDIS_PREFIX) : new MemoryCounterStore(),
        },
        {
          provide: SocketLimits,
          useFactory: (metrics: Metrics) =>
            new SocketLimits(
              config,
              redisUrl
                ? new RedisSocketCountStore(redisUrl, config.raw.REDIS_PREFIX)
                : new MemorySocketCountStore(),
              logger,
              metrics,
            ),
          inject: [Metrics],
        },
        ...queueProviders,
        PlatformHealth,
        { provide: APP_GUARD, useClass: AuthGuard },
        {
          provide: APP_FILTER,
          useFactory: (audit: AuditStore, counters: CounterStore) =>
            new HttpExceptionFilter(logger, new DenialAudit(audit, counters, logger)),
          inject: [AuditStore, CounterStore],
        },
      ],
      exports: [
        RUNTIME,
        AppConfig,
        LOGGER,
        Metrics,
        HealthRegistry,
        AuditStore,
        ActorResolver,
        EventBus,
        CounterStore,
        SocketLimits,
        JobQueue,
        TypeOrmModule,
      ],
    };
  }
}

export type { Logger };
