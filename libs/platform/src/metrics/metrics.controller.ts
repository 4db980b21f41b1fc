import { Controller, Get, Header, Headers, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/decorators.js';
import { AppConfig } from '../config/app-config.js';
import { DomainError } from '../http/domain-error.js';
import { metricsAccess } from './metrics-access.js';
import { Metrics } from './metrics.js';

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /** Not a user's route: METRICS_TOKEN guards it, not the JWT guard. */
  @Public()
  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(@Headers('authorization') authorization: string | undefined): Promise<string> {
    const access = metricsAccess(authorization, this.config.raw.METRICS_TOKEN, 'main');
    if (access === 'not_served')
      throw new DomainError(
        'not_found',
        'metrics are not served on this port: set METRICS_TOKEN or METRICS_PORT',
      );
    if (access === 'unauthorized')
      throw new DomainError('unauthenticated', 'metrics need the bearer token METRICS_TOKEN');
    return this.metrics.registry.metrics();
  }
}
