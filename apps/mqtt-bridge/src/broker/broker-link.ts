import type { ComponentHealth } from '#contracts';

export type DeviceMessageHandler = (topic: string, payload: Buffer) => void;
/** `subscribed`: the device subscribed to its directives, so it can be sent to now */
export type PresenceEvent = 'connected' | 'subscribed' | 'disconnected';
export type PresenceHandler = (terminalId: string, event: PresenceEvent) => void;

/**
 * What the bridge needs from a broker, whichever it is: the embedded aedes or an external
 * Mosquitto/EMQX. The bridge's own traffic is trusted; devices go through the ACL.
 */
export interface BrokerLink {
  /**
   * resolves once the broker has taken the message (PUBACK from an external broker).
   * `terminal`: the one terminal the topic is for (its directives or notices), which lets
   * the embedded broker hand it to that session without routing it through every subscription.
   */
  publish(
    topic: string,
    payload: string,
    options: { qos: 0 | 1; retain?: boolean; terminal?: string },
  ): Promise<void>;
  /** every device publish on acks and status topics */
  onDeviceMessage(handler: DeviceMessageHandler): Promise<void>;
  /** connection events the broker reports directly (embedded only; external uses status + Will) */
  onPresence(handler: PresenceHandler): void;
  /**
   * the link to an external broker came back after a drop: whatever the bridge believed
   * about presence may be stale (a restarted broker forgot every session)
   */
  onReconnect?(handler: () => void): void;
  /** drops a device's connection, e.g. when it is revoked */
  disconnect(terminalId: string): void;
  health(): ComponentHealth;
  stop(): Promise<void>;
}

export const BROKER_LINK = 'YIHU_BROKER_LINK';
