import type { Aedes, AedesOptions, Client } from 'aedes';
import type { Logger } from 'pino';
import { TOPIC_ROOT, type TerminalKind } from '#contracts';
import { deviceMaySubscribe, devicePublishDenial } from '#domain';
import type { RejectReason } from '../bridge/bridge-metrics.js';

/** How the embedded broker asks the bridge who may connect, and tells it what it refused. */
export interface DeviceGate {
  /** null to admit; otherwise why not */
  authenticate(
    clientId: string,
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<RejectReason | null>;
  rejected(reason: RejectReason, clientId: string | null, detail?: string): void;
  /** an admitted terminal's kind: radio gateways have radio topics too */
  kindOf(clientId: string): TerminalKind | undefined;
}

export type DeviceHooks = Required<
  Pick<AedesOptions, 'authenticate' | 'authorizeSubscribe' | 'authorizePublish' | 'authorizeForward'>
>;

export interface DeviceHookOptions {
  gate: DeviceGate;
  logger: Logger;
  /** a client's CONNECT was accepted: it no longer counts as unauthenticated */
  admitted(client: Client): void;
  /** a device's ack, status or radio message, for the bridge (see authorizePublish) */
  take(topic: string, payload: Buffer): void;
  /** device PUBLISH packets `take` had, which aedes then need not route (see routeUntakenOnly) */
  taken: WeakSet<object>;
}

/**
 * aedes' hooks for devices: the terminal secret at CONNECT (through the gate), and the
 * device ACL (libs/domain device-acl) on every SUBSCRIBE, PUBLISH and forward.
 */
export function deviceHooks({ gate, logger, admitted, take, taken }: DeviceHookOptions): DeviceHooks {
  return {
    authenticate: (client, username, password, done) => {
      gate.authenticate(client.id, username, password).then(
        (reason) => {
          if (!reason) {
            admitted(client);
            return done(null, true);
          }
          gate.rejected(reason, client.id);
          // [MQTT-3.2.2-5]: 2 = identifier rejected, 4 = bad user name or password
          const returnCode = reason === 'client_id_mismatch' ? 2 : 4;
          done(Object.assign(new Error(reason), { returnCode }) as never, false);
        },
        (err: Error) => {
          logger.error({ err }, 'terminal authentication failed');
          done(Object.assign(new Error('server unavailable'), { returnCode: 3 }) as never, false);
        },
      );
    },
    authorizeSubscribe: (client, sub, done) => {
      // an unknown kind (a terminal deleted since it connected) gets the narrower ACL
      if (deviceMaySubscribe(client.id, sub.topic, gate.kindOf(client.id) ?? 'push'))
        return done(null, { ...sub, qos: Math.min(sub.qos, 1) as 0 | 1 });
      gate.rejected('subscribe_denied', client.id, sub.topic);
      // a null subscription answers SUBACK 0x80 and keeps the connection [MQTT-3.9.3]
      done(null, null);
    },
    authorizePublish: (client, packet, done) => {
      // 3.1.1 has no negative PUBACK: an unauthorised PUBLISH ends the connection [MQTT-3.3.5-2 allows either]
      if (!client) return done(new Error('no client'));
      const denial = devicePublishDenial(
        client.id,
        packet.topic,
        packet.payload?.length ?? 0,
        packet.retain,
        gate.kindOf(client.id) ?? 'push',
      );
      if (!denial) {
        // A retained status (and the retained Will) is kept by no one here: only the bridge
        // may read status topics, and it sees each one live; this broker's memory dies with
        // the hub. Stored, every SUBSCRIBE scanned all of them: 10,000 terminals took 105 s
        // to connect instead of a few.
        packet.retain = false;
        // The bridge is the only reader of acks and statuses, so it takes them here rather
        // than through a subscription: routing 20,000 acks of a fan-out through aedes'
        // matcher to one in-process subscriber cost the hub's thread for nothing. The
        // PUBACK still follows only once aedes has processed the PUBLISH.
        take(packet.topic, packet.payload as Buffer);
        taken.add(packet);
        return done(null);
      }
      gate.rejected(denial, client.id, packet.topic.slice(0, 200));
      done(new Error(denial));
    },
    // the bridge's own publishes never go back to it as device input, and a device
    // receives nothing it did not subscribe to under its own id
    authorizeForward: (client: Client, packet) => {
      if (packet.topic.startsWith(`${TOPIC_ROOT}/${client.id}/`)) return packet;
      return null;
    },
  };
}

/**
 * A device's PUBLISH the bridge has taken ends once aedes has answered it (PUBACK for
 * QoS 1): nobody else may read acks and statuses (the device ACL), so routing them (a
 * packet copy, the offline-session lookup, the matcher, the `publish` event) did work
 * for no reader, 20,000 times a fan-out, on the thread that sends the directive.
 */
export function routeUntakenOnly(aedes: Aedes, taken: WeakSet<object>): void {
  // aedes' PUBLISH handler calls its own publish(); the typings know only two arguments.
  type Route = (packet: object, client: unknown, done?: (err?: Error) => void) => void;
  const route = (aedes.publish as unknown as Route).bind(aedes);
  (aedes as unknown as { publish: Route }).publish = (packet, client, done) => {
    if (typeof client !== 'function' && taken.delete(packet)) return done?.();
    return route(packet, client, done);
  };
}
