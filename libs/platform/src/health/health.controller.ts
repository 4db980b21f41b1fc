import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { HEALTH_RESPONSE, type HealthResponse } from '#contracts';
import { Public } from '../auth/decorators.js';
import { AppConfig } from '../config/app-config.js';
import { RUNTIME, type Runtime } from '../runtime.js';
import { HealthRegistry } from './health-registry.js';

const VERSION = '0.1.0';

@ApiTags('operations')
@Controller('api/v1/health')
export class HealthController {
  constructor(
    private readonly registry: HealthRegistry,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  /**
   * 200 while the database answers (other parts may be degraded); 503 when it does not, or
   * while start-up is still finishing, so a load balancer only routes to a ready instance.
   */
  @Public()
  @Get()
  @ApiOkResponse({ description: 'status, mode and one entry per component', schema: HEALTH_RESPONSE })
  async health(@Res({ passthrough: true }) res: Response): Promise<HealthResponse> {
    const components = await this.registry.runAll();
    const statuses = Object.values(components).map((c) => c.status);
    const databaseDown = components.database?.status === 'down';
    const status = !this.runtime.ready
      ? 'starting'
      : databaseDown
        ? 'down'
        : statuses.every((s) => s === 'up')
          ? 'ok'
          : 'degraded';
    res.status(status === 'down' || status === 'starting' ? 503 : 200);
    return {
      status,
      mode: this.config.mode,
      version: VERSION,
      uptimeSeconds: Math.round(process.uptime()),
      components,
    };
  }
}
