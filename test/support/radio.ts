import type { RadioCmd, RadioGatewayMessage, RadioPresenceMessage } from '#contracts';
import { RADIO_BUS } from '#contracts';
import { EventBus } from '#platform';
import type { BridgeHarness } from './bridge-harness.js';
import { openDevice } from './bridge-harness.js';
import { topics, type Credentials, type TestDevice } from './terminals.js';

export const radioTopics = (id: string) => ({
  join: `yihu/v1/terminals/${id}/radio/join`,
  state: `yihu/v1/terminals/${id}/radio/state`,
  events: `yihu/v1/terminals/${id}/radio/events`,
  cmd: `yihu/v1/terminals/${id}/radio/cmd`,
});

/** A radio gateway as device protocol v1 describes it: subscribe, `online`, then join. */
export interface RadioGateway {
  device: TestDevice;
  /** every radio/cmd payload that reached it, parsed */
  commands: RadioCmd[];
  publish(leaf: 'join' | 'state' | 'events' | string, body: unknown, retain?: boolean): Promise<void>;
}

export async function connectGateway(
  h: BridgeHarness,
  creds: Credentials,
  join = true,
): Promise<RadioGateway> {
  const device = await openDevice(h, creds);
  const commands: RadioCmd[] = [];
  device.client.on('message', (topic, payload) => {
    if (topic === radioTopics(creds.id).cmd) commands.push(JSON.parse(payload.toString()) as RadioCmd);
  });
  await device.client.subscribeAsync({
    [topics(creds.id).directives]: { qos: 1 },
    [radioTopics(creds.id).cmd]: { qos: 1 },
  });
  await device.client.publishAsync(topics(creds.id).status, 'online', { qos: 1, retain: true });
  const gateway: RadioGateway = {
    device,
    commands,
    publish: (leaf, body, retain = false) =>
      device.client
        .publishAsync(
          `yihu/v1/terminals/${creds.id}/radio/${leaf}`,
          typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
          { qos: 1, retain },
        )
        .then(() => undefined),
  };
  if (join) await gateway.publish('join', { codecs: ['PCMA'], ssrc: 1234, at: new Date().toISOString() });
  return gateway;
}

/** What the bridge put on the bus for the radio server. */
export class RadioBusTap {
  readonly gateway: RadioGatewayMessage[] = [];
  readonly presence: RadioPresenceMessage[] = [];
  private readonly stops: (() => void)[] = [];

  static async attach(bus: EventBus): Promise<RadioBusTap> {
    const tap = new RadioBusTap();
    tap.stops.push(await bus.subscribe<RadioGatewayMessage>(RADIO_BUS.gateway, (m) => tap.gateway.push(m)));
    tap.stops.push(
      await bus.subscribe<RadioPresenceMessage>(RADIO_BUS.presence, (m) => tap.presence.push(m)),
    );
    return tap;
  }

  static forHub(h: BridgeHarness): Promise<RadioBusTap> {
    return RadioBusTap.attach(h.app.app.get(EventBus));
  }

  from(terminalId: string): RadioGatewayMessage[] {
    return this.gateway.filter((m) => m.terminalId === terminalId);
  }

  stop(): void {
    for (const s of this.stops) s();
  }
}
