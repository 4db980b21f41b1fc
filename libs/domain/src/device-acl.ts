import { MAX_DEVICE_PAYLOAD_BYTES, TOPIC_ROOT } from '#contracts';

/**
 * The device ACL of protocol v1, shared by the embedded broker's hooks and the EMQX HTTP
 * authorizer: a terminal subscribes to its own directives and publishes its own acks and
 * status (and may subscribe to its own notices), nothing else. Topics are compared whole, so wildcards, "..", empty levels and
 * other ids can never match.
 */
export type DeviceDenial = 'topic_denied' | 'too_large' | 'retain_denied';

export function deviceMaySubscribe(clientId: string, topicFilter: string): boolean {
  // `notices` (updates and cancellations) is an addition to v1
  return (
    topicFilter === `${TOPIC_ROOT}/${clientId}/directives` ||
    topicFilter === `${TOPIC_ROOT}/${clientId}/notices`
  );
}

export function devicePublishDenial(
  clientId: string,
  topic: string,
  payloadBytes: number,
  retain: boolean,
): DeviceDenial | null {
  if (payloadBytes > MAX_DEVICE_PAYLOAD_BYTES) return 'too_large';
  if (topic === `${TOPIC_ROOT}/${clientId}/status`) return null;
  if (topic === `${TOPIC_ROOT}/${clientId}/acks`) return retain ? 'retain_denied' : null;
  return 'topic_denied';
}

/** Splits `yihu/v1/terminals/{id}/{leaf}`; null for anything else. */
export function parseDeviceTopic(topic: string): { terminalId: string; leaf: string } | null {
  if (!topic.startsWith(`${TOPIC_ROOT}/`)) return null;
  const rest = topic.slice(TOPIC_ROOT.length + 1).split('/');
  if (rest.length !== 2 || !rest[0] || !rest[1]) return null;
  return { terminalId: rest[0], leaf: rest[1] };
}
