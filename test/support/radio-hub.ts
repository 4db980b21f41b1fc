import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus, startApp, type StartedApp } from '#platform';
import { alawFrames, sine, ToneDetector } from '#radio';
import { hubApp } from '../../apps/hub/src/hub.module.js';
import { Api } from './api.js';
import { waitFor } from './async.js';
import { seedEmbeddedDatabase } from './pglite-template.js';
import { freePort } from './ports.js';
import type { RadioGatewayDouble } from './radio-gateway.js';
import { inProcessHubEnv } from './terminals.js';

export interface RadioHub {
  app: StartedApp;
  api: Api;
  token: string;
  bus: EventBus;
  rootSite: string;
  mqttUrl: string;
  stop(): Promise<void>;
}

/** An embedded hub in the test process with the SFU on (one worker), for radio tests. */
export async function startRadioHub(extra: Record<string, string> = {}): Promise<RadioHub> {
  const dir = mkdtempSync(join(tmpdir(), 'yihu-radio-'));
  const port = await freePort();
  const mqttPort = await freePort();
  const env: Record<string, string> = {
    ...inProcessHubEnv(join(dir, 'data'), port),
    SFU_ENABLED: 'true',
    SFU_WORKERS: '1',
    MQTT_PORT: String(mqttPort),
    ...extra,
  };
  seedEmbeddedDatabase(env.DATA_DIR!);
  const app = await startApp('hub', hubApp, env);
  const base = `http://127.0.0.1:${port}`;
  const token = (
    await new Api(base).post('/api/v1/auth/login', { username: 'admin', password: 'admin-password-1' })
  ).body.accessToken as string;
  const api = new Api(base, token);
  const rootSite = (await api.get<{ id: string }[]>('/api/v1/sites')).body[0]!.id;
  // the worker starts in the background
  if (env.SFU_ENABLED !== 'false')
    await waitFor(
      async () => (await api.get('/api/v1/health')).body.components.sfu.status === 'up',
      30_000,
      'sfu up',
    );
  return {
    app,
    api,
    token,
    bus: app.app.get(EventBus),
    rootSite,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    stop: async () => {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** 20 ms A-law frames of a sine (1 kHz by default). */
export const tone = (ms: number, hz = 1000): Buffer[] => alawFrames(sine(hz, ms, 8000, 0.5));

/** 1 kHz onset in what the gateway heard since `since`: ms into its audio, or null. */
export function onset(
  gw: RadioGatewayDouble,
  since: number,
): { first: number | null; onsetMs: number | null } {
  const { pcm, first } = gw.pcm(since);
  const det = new ToneDetector({ freqHz: 1000, minMs: 40 });
  for (let i = 0; i < pcm.length; i += 160) det.push(pcm.subarray(i, i + 160));
  return { first, onsetMs: det.onsetMs };
}
