import { Inject, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '#platform';
import { consoleStatic, findConsoleDist } from './static-files.js';

/** Serves the web console (apps/console, built by `npm run build`) at `/`. */
@Module({})
export class ConsoleModule implements NestModule {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  configure(consumer: MiddlewareConsumer): void {
    const dir = findConsoleDist();
    if (!dir) {
      this.logger.warn('web console not built (apps/console/dist missing): run npm run build');
      return;
    }
    consumer.apply(consoleStatic(dir)).forRoutes({ path: '{*path}', method: RequestMethod.GET });
  }
}
