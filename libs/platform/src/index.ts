export { AppConfig, type RunMode } from './config/app-config.js';
export { loadConfig, parseConfig } from './config/load-config.js';
export { ConfigSchema, type RawConfig } from './config/config.schema.js';
export { StartupError } from './startup-error.js';
export { createRootLogger, PinoNestLogger, requestContext } from './logging/logger.js';
export { enableFanoutTrace, trace, traceCount } from './logging/fanout-trace.js';
export { JobQueue, type JobHandler, type JobOptions } from './queue/job-queue.js';
export { DbJobQueue } from './queue/db-job-queue.js';
export { BULL_QUEUE_NAME, BullJobQueue, bullQueueNameFor } from './queue/bull-job-queue.js';
export { EventBus, InProcessEventBus, RedisEventBus, type BusHandler } from './bus/event-bus.js';
export { YihuIoAdapter } from './realtime/io-adapter.js';
export { SocketLimits, type SocketNamespaceName } from './realtime/socket-limits.js';
export {
  SocketCountStore,
  MemorySocketCountStore,
  RedisSocketCountStore,
} from './realtime/socket-count-store.js';
export { parseEvent, guardSocketInput, type ParsedEvent } from './realtime/event-input.js';
export { EventHandler, eventFailure, type EventAnswer } from './realtime/event-handler.js';
export { HealthRegistry, type HealthCheck } from './health/health-registry.js';
export { databaseCheck, type ProbedEngine } from './health/database-check.js';
export { Metrics } from './metrics/metrics.js';
export { DomainError, type DomainErrorCode } from './http/domain-error.js';
export { ZodPipe } from './http/zod-pipe.js';
export { ApiQueryFrom } from './http/api-query.js';
export { ValidBody, ValidQuery, openApiBodySchema, type ValidBodyOptions } from './http/valid-body.js';
export { ActorResolver } from './auth/actor-resolver.js';
export { SocketSessions, type AuthedSocket } from './auth/socket-sessions.js';
export { Public, RequirePermission, CurrentActor } from './auth/decorators.js';
export { CounterStore, MemoryCounterStore, RedisCounterStore } from './rate-limit/counter-store.js';
export { PlatformModule } from './platform.module.js';
export { LOGGER, RUNTIME, type Runtime } from './runtime.js';
export { startApp, main, redactUrl, type StartedApp } from './bootstrap.js';
export {
  announceConsultation,
  consultationView,
  recordConsultation,
  type NewConsultation,
} from './consultations/consultation-records.js';
export { DrillLinks, factsOfDrill, reachOf } from './drills/drill-links.js';
export { DrillLinksModule } from './drills/drill-links.module.js';
export {
  DrillsRepository,
  type DrillItemTable,
  type DrillRow,
  type NewDrill,
} from './drills/drills.repository.js';
