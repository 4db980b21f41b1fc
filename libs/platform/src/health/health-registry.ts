import type { ComponentHealth } from '#contracts';

export type HealthCheck = () => Promise<ComponentHealth>;

const CHECK_TIMEOUT_MS = 3000;

/** Each module registers a check for the part it owns; the health endpoint runs them all. */
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheck>();

  register(name: string, check: HealthCheck): void {
    if (this.checks.has(name)) throw new Error(`health check "${name}" registered twice`);
    this.checks.set(name, check);
  }

  async runAll(): Promise<Record<string, ComponentHealth>> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => [name, await runWithTimeout(check)] as const),
    );
    return Object.fromEntries(entries);
  }
}

async function runWithTimeout(check: HealthCheck): Promise<ComponentHealth> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ComponentHealth>((resolve) => {
    timer = setTimeout(
      () => resolve({ status: 'down', driver: 'unknown', error: `no answer within ${CHECK_TIMEOUT_MS} ms` }),
      CHECK_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([
      check().catch((err: Error): ComponentHealth => ({
        status: 'down',
        driver: 'unknown',
        error: err.message,
      })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
