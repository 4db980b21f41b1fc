import type { DataSource } from 'typeorm';
import type { ComponentHealth } from '#contracts';
import { DatabaseBusyError, poolWaiting, type EngineProbe } from '#persistence';

/** The embedded engine, as far as health needs it. */
export interface ProbedEngine {
  probe(timeoutMs: number): Promise<EngineProbe>;
}

export interface DatabaseCheckOptions {
  /** how long `SELECT 1` through the pool may take before the engine is asked directly */
  queryMs?: number;
  probeMs?: number;
}

/**
 * `SELECT 1` through the pool; with the embedded engine, a slow answer is not "down": its
 * one connection may be queued for by dozens of requests (40 clients made health answer
 * 503 while every request was being served). Then the engine's own thread is asked, and
 * only an engine that is stopped, dead or silent is down.
 */
export function databaseCheck(
  dataSource: DataSource,
  driver: string,
  engine?: ProbedEngine,
  options: DatabaseCheckOptions = {},
): () => Promise<ComponentHealth> {
  // together under the registry's 3 s per check
  const queryMs = options.queryMs ?? 1000;
  const probeMs = options.probeMs ?? 1500;
  return async () => {
    if (!engine) {
      await dataSource.query('SELECT 1');
      return { status: 'up', driver };
    }
    let timer: NodeJS.Timeout | undefined;
    const answered = await Promise.race([
      dataSource.query('SELECT 1').then(
        () => true,
        (err: Error) => err,
      ),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), queryMs))),
    ]);
    clearTimeout(timer);
    if (answered === true) return { status: 'up', driver };
    // queued behind other requests (or refused as busy): up while the engine still answers
    const again = await engine.probe(probeMs);
    if (!again.up) return { status: 'down', driver, error: again.reason };
    // the engine's thread lives but its socket refuses us: that is down too
    if (answered instanceof Error && !(answered instanceof DatabaseBusyError)) {
      return { status: 'down', driver, error: answered.message };
    }
    return {
      status: 'up',
      driver,
      detail: { busy: true, waiting: poolWaiting(dataSource), inFlight: again.inFlight },
    };
  };
}
