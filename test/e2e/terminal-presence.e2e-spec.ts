import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { Api } from '../support/api.js';
import { adminLogin } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';
import { freePort } from '../support/ports.js';
import {
  provision,
  startMosquitto,
  TestDevice,
  waitFor,
  type MosquittoProcess,
} from '../support/terminals.js';

/**
 * A terminal's presence after the hub restarts (built hub, as an operator runs it): a
 * device connected when the hub stops and gone when it comes back reads `offline`,
 * whether the hub stopped with SIGTERM or was killed with kill -9. SIGTERM writes the
 * broker's last presence events before the database closes.
 */
type BrokerKind = 'embedded' | 'mosquitto';

describe.each<BrokerKind>(['embedded', 'mosquitto'])(
  'terminal presence across hub restarts (%s broker)',
  (kind) => {
    const hubs: HubProcess[] = [];
    const brokers: MosquittoProcess[] = [];
    const devices: TestDevice[] = [];

    afterAll(async () => {
      for (const d of devices) d.client.end(true);
      for (const h of hubs) await h.stop('SIGKILL');
      for (const b of brokers) b.stop();
    });

    async function setup() {
      const dir = mkdtempSync(join(tmpdir(), `yihu-presence-${kind}-`));
      const mqttPort = await freePort();
      const env: Record<string, string> = {
        DATA_DIR: join(dir, 'data'),
        PORT: String(await freePort()),
        SFU_ENABLED: 'false',
        MQTT_HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      };
      if (kind === 'embedded') env.MQTT_PORT = String(mqttPort);
      else
        Object.assign(env, {
          MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`,
          MQTT_PASSWORD: 'bridge-password-0123456789',
          MOSQUITTO_AUTH_DIR: dir,
          MOSQUITTO_PID_FILE: join(dir, 'mosquitto.pid'),
        });
      const hub = await startHub(env, 'hub', 180_000);
      hubs.push(hub);
      if (kind === 'mosquitto') brokers.push(await startMosquitto(dir, mqttPort));
      return { hub, env, url: `mqtt://127.0.0.1:${mqttPort}` };
    }

    const presenceOf = async (api: Api, id: string) =>
      (await api.get<{ id: string; presence: string }[]>('/api/v1/terminals')).body.find((t) => t.id === id)
        ?.presence;

    it.each<NodeJS.Signals>(['SIGTERM', 'SIGKILL'])(
      'a device connected when the hub stops (%s) and gone when it returns reads offline',
      async (signal) => {
        const { hub, env, url } = await setup();
        let admin = await adminLogin(hub.baseUrl);
        const siteId = (await admin.get('/api/v1/auth/me')).body.siteId as string;
        const creds = await provision(admin, siteId, `presence-${signal}`);
        const device = await waitFor(() => TestDevice.connect(url, creds), 'the device connects', 15_000);
        devices.push(device);
        await waitFor(async () => (await presenceOf(admin, creds.id)) === 'online', 'online', 15_000);

        await hub.stop(signal);
        // the device is gone for good (a dropped link: no `offline` of its own, the Will on Mosquitto)
        device.client.stream.destroy();
        await waitFor(() => device.closed, 'the device link closed');
        if (signal === 'SIGTERM') {
          expect(hub.output()).not.toMatch(/Driver not Connected|recording terminal presence failed/);
        }

        const again = await startHub(env, 'hub', 180_000);
        hubs.push(again);
        admin = await adminLogin(again.baseUrl);
        // the first answer after the restart is already true (the hub marks before its broker listens;
        // through Mosquitto the Will waits in the bridge's session)
        await waitFor(
          async () => (await presenceOf(admin, creds.id)) === 'offline',
          'offline after the restart',
          kind === 'embedded' ? 1000 : 15_000,
        );
        await again.stop('SIGKILL');
      },
      // two hub starts on a shared, busy machine
      420_000,
    );
  },
);
