import { createServer, type Server } from 'node:http';
import { StartupError } from '../startup-error.js';
import { metricsAccess } from './metrics-access.js';
import type { Metrics } from './metrics.js';

/**
 * METRICS_PORT: /metrics alone on its own listener (METRICS_HOST, loopback by default), so
 * Prometheus scrapes it on a private address while the API port stays public.
 */
export async function startMetricsServer(
  metrics: Metrics,
  port: number,
  host: string,
  token: string | undefined,
): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (metricsAccess(req.headers.authorization, token, 'metrics') !== 'ok') {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('metrics need the bearer token METRICS_TOKEN');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text),
      () => res.writeHead(503, { 'content-type': 'text/plain' }).end('metrics unavailable'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new StartupError(
          err.code === 'EADDRINUSE'
            ? `port ${port} is in use (METRICS_PORT); set METRICS_PORT to a free port`
            : `cannot listen on port ${port} (METRICS_PORT): ${err.message}`,
        ),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  return server;
}
