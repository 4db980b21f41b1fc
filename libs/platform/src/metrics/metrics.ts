import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** One registry per process; modules add their own counters to it. */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new Histogram({
    name: 'yihu_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly loginFailures = new Counter({
    name: 'yihu_login_failures_total',
    help: 'Failed or throttled logins',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, prefix: 'yihu_' });
  }
}
