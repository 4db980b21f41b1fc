export type ComponentStatus = 'up' | 'down' | 'degraded';

export interface ComponentHealth {
  status: ComponentStatus;
  /** which implementation serves this part, e.g. "pglite" or "postgres" */
  driver: string;
  detail?: Record<string, unknown>;
  error?: string;
}

export interface HealthResponse {
  status: 'ok' | 'degraded' | 'down' | 'starting';
  mode: 'embedded' | 'cluster';
  version: string;
  uptimeSeconds: number;
  components: Record<string, ComponentHealth>;
}
