import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { Metrics } from '#platform';

/** Why the bridge or the embedded broker turned device input away. */
export type RejectReason =
  | 'auth_failed'
  | 'client_id_mismatch'
  | 'subscribe_denied'
  | 'topic_denied'
  | 'retain_denied'
  | 'too_large'
  | 'malformed_json'
  | 'invalid_schema'
  | 'invalid_status'
  | 'unknown_message'
  | 'foreign_message'
  | 'expired_message';

@Injectable()
export class BridgeMetrics {
  readonly rejected: Counter<'reason'>;
  readonly taken: Counter<'leaf'>;
  readonly acks: Counter<'state'>;
  readonly published: Counter<'kind'>;
  readonly online: Gauge;

  constructor(@Inject(Metrics) metrics: Metrics) {
    const registers = [metrics.registry];
    this.rejected = new Counter({
      name: 'yihu_mqtt_rejected_total',
      help: 'Device MQTT input refused, by reason',
      labelNames: ['reason'] as const,
      registers,
    });
    this.taken = new Counter({
      name: 'yihu_mqtt_device_messages_total',
      help: 'Device messages this bridge took in, before any check, by topic leaf (acks, status)',
      labelNames: ['leaf'] as const,
      registers,
    });
    this.acks = new Counter({
      name: 'yihu_mqtt_acks_recorded_total',
      help: 'Device acks that changed a message state',
      labelNames: ['state'] as const,
      registers,
    });
    this.published = new Counter({
      name: 'yihu_mqtt_directives_published_total',
      help: 'Directive messages handed to the broker (first send or replay)',
      labelNames: ['kind'] as const,
      registers,
    });
    this.online = new Gauge({
      name: 'yihu_mqtt_terminals_online',
      help: 'Terminals the bridge sees online',
      registers,
    });
  }

  reject(reason: RejectReason): void {
    this.rejected.inc({ reason });
  }
}
