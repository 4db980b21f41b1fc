import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { Redis } from 'ioredis';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import {
  boundPoolQueue,
  createDataSource,
  DataDirInUseError,
  EmbeddedPostgres,
  runMigrations,
} from '#persistence';
import type { AppConfig } from './config/app-config.js';
import { loadConfig } from './config/load-config.js';
import { tuneHeap } from './heap-tuning.js';
import { enableFanoutTrace } from './logging/fanout-trace.js';
import { createRootLogger, PinoNestLogger, redactedRequest } from './logging/logger.js';
import { installSecurityHeaders } from './http/security-headers.js';
import { requestIdMiddleware } from './logging/request-id.middleware.js';
import { Metrics } from './metrics/metrics.js';
import { installInputGuard } from './http/input-guard.js';
import { startMetricsServer } from './metrics/metrics-server.js';
import { YihuIoAdapter } from './realtime/io-adapter.js';
import type { Runtime } from './runtime.js';
import { StartupError } from './startup-error.js';

export interface StartedApp {
  app: INestApplication;
  runtime: Runtime;
  stop(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 15_000;

/** Strips the password from a URL before it goes into any message. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

async function openDatabase(config: AppConfig, logger: Logger, service: string) {
  let embedded: EmbeddedPostgres | undefined;
  const url = config.raw.DATABASE_URL;
  try {
    if (!url)
      embedded = await EmbeddedPostgres.start(
        config.dataDir,
        (err) => {
          // the engine's thread is gone and with it every statement: stop now, so a
          // supervisor restarts us and PGlite recovers from the data dir as after kill -9
          logger.fatal({ err }, 'embedded database failed; exiting');
          process.exit(1);
        },
        // the first directive after a start must not wait for the engine's compilation
        { warmUp: true, trace: config.raw.YIHU_TRACE },
      );
  } catch (err) {
    if (err instanceof DataDirInUseError) throw new StartupError(err.message);
    throw new StartupError(
      `cannot open the embedded database in DATA_DIR ${config.dataDir}: ${(err as Error).message}`,
    );
  }
  const dataSource = createDataSource({
    url,
    socketDir: embedded?.socketDir,
    // PGlite serves one session: one connection keeps transactions from interleaving.
    poolSize: embedded ? 1 : config.raw.DB_POOL_SIZE,
    applicationName: `yihu-${service}`,
  });
  try {
    await dataSource.initialize();
  } catch (err) {
    await embedded?.stop();
    const reason = (err as Error).message || (err as NodeJS.ErrnoException).code || 'unknown error';
    throw new StartupError(
      url ? `cannot reach DATABASE_URL ${redactUrl(url)}: ${reason}` : `embedded database failed: ${reason}`,
    );
  }
  boundPoolQueue(dataSource, config.raw.DB_QUEUE_MAX);
  try {
    const applied = await runMigrations(dataSource, !embedded);
    if (applied.length) logger.info({ migrations: applied }, 'database migrated');
  } catch (err) {
    await dataSource.destroy();
    await embedded?.stop();
    throw new StartupError(`database migration failed: ${(err as Error).message}`);
  }
  return { dataSource, embedded };
}

async function checkRedis(url: string): Promise<void> {
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    throw new StartupError(`cannot reach REDIS_URL ${redactUrl(url)}: ${(err as Error).message}`);
  } finally {
    probe.disconnect();
  }
}

function configureHttp(app: INestApplication, runtime: Runtime): void {
  const metrics = app.get(Metrics);
  // names the framework to a scanner and nothing to a client
  (app.getHttpAdapter().getInstance() as import('express').Express).disable('x-powered-by');
  app.use(requestIdMiddleware);
  app.use(
    pinoHttp({
      logger: runtime.logger,
      genReqId: (req) => (req as Request & { id: string }).id,
      autoLogging: { ignore: (req) => req.url === '/metrics' || req.url === '/api/v1/health' },
      quietReqLogger: true,
      serializers: { req: redactedRequest },
    }),
  );
  app.use((req: Request, res: Response, next: NextFunction) => {
    const end = metrics.httpRequests.startTimer();
    res.on('finish', () => {
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  });
  installInputGuard(app);
  const doc = new DocumentBuilder()
    .setTitle('yihu (一呼) hub API')
    .setDescription(
      'Directives, sites, users, terminals and consultations. All routes but login and health need a bearer token.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, doc), {
    jsonDocumentUrl: 'api/docs/openapi.json',
  });
}

function describeListenError(err: NodeJS.ErrnoException, port: number): string {
  if (err.code === 'EADDRINUSE') return `port ${port} is in use (PORT); set PORT to a free port`;
  if (err.code === 'EACCES') return `port ${port} needs privileges (PORT); choose a port above 1024`;
  return `cannot listen on port ${port} (PORT): ${err.message}`;
}

/**
 * Starts one app: validates config, opens and migrates the database, then builds the Nest
 * application. Every failure an operator can fix becomes a StartupError with one line.
 */
export async function startApp(
  service: string,
  rootModule: (runtime: Runtime) => DynamicModule,
  env?: NodeJS.ProcessEnv,
): Promise<StartedApp> {
  const config = loadConfig({ env });
  enableFanoutTrace(config.raw.YIHU_TRACE);
  const logger = createRootLogger(config.raw.LOG_LEVEL, service);
  if (config.raw.REDIS_URL) await checkRedis(config.raw.REDIS_URL);
  const { dataSource, embedded } = await openDatabase(config, logger, service);
  const runtime: Runtime = {
    service,
    config,
    logger,
    dataSource,
    lane: embedded?.lane,
    engine: embedded,
    afterListen: [],
    ready: false,
  };
  let app: INestApplication | undefined;
  let metricsServer: import('node:http').Server | undefined;
  const stop = async () => {
    try {
      metricsServer?.close();
      await app?.close();
    } finally {
      if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
      await embedded?.stop();
    }
  };
  try {
    app = await NestFactory.create(rootModule(runtime), {
      logger: new PinoNestLogger(logger),
      abortOnError: false,
    });
    app.useWebSocketAdapter(new YihuIoAdapter(app, config.raw.REDIS_URL, config.raw.REDIS_PREFIX));
    configureHttp(app, runtime);
    await app.init();
    const server = app.getHttpServer() as import('node:http').Server;
    installSecurityHeaders(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(new StartupError(describeListenError(err, config.port))),
      );
      server.listen(config.port, config.raw.HOST, () => resolve());
    });
    if (config.raw.METRICS_PORT)
      metricsServer = await startMetricsServer(
        app.get(Metrics),
        config.raw.METRICS_PORT,
        config.raw.METRICS_HOST,
        config.raw.METRICS_TOKEN,
      );
    for (const step of runtime.afterListen) await step();
    runtime.ready = true;
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  logger.info({ port: config.port, mode: config.mode, dataDir: config.dataDir }, `${service} listening`);
  return { app, runtime, stop };
}

/** Entry-point wrapper: one line and exit 1 on a start-up error; graceful stop on SIGTERM/SIGINT. */
export async function main(service: string, rootModule: (runtime: Runtime) => DynamicModule): Promise<void> {
  tuneHeap();
  let started: StartedApp;
  try {
    started = await startApp(service, rootModule);
  } catch (err) {
    const message =
      err instanceof StartupError
        ? err.message
        : `unexpected start-up failure: ${(err as Error).stack ?? err}`;
    process.stderr.write(`yihu ${service}: ${message}\n`);
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    started.runtime.logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      process.stderr.write(`yihu ${service}: shutdown took longer than ${SHUTDOWN_GRACE_MS} ms; exiting\n`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    started
      .stop()
      .then(() => process.exit(0))
      .catch((err: Error) => {
        process.stderr.write(`yihu ${service}: shutdown failed: ${err.message}\n`);
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
