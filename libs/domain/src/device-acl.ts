import {
  MAX_DEVICE_PAYLOAD_BYTES,
  MAX_RADIO_PAYLOAD_BYTES,
  RADIO_CMD_LEAF,
  RADIO_DEVICE_LEAVES,
  TOPIC_ROOT,
  type TerminalKind,
  DEVICE_REPORTS_LEAF,
} from '#contracts';

/**
 * The device ACL of protocol v1, shared by the embedded broker's hooks, the EMQX HTTP
 * authorizer and the generated Mosquitto ACL: a terminal subscribes to its own directives
 * (and notices) and publishes its own acks and status, nothing else. A radio gateway
 * (kind `radio`) may also subscribe to its own `radio/cmd` and publish its own
 * `radio/join`, `radio/state` and `radio/events`; a push terminal touches no radio topic
 * and publishes its own `reports` (零报告, issue 18), which a radio gateway may not.
 * Topics are compared whole, so wildcards, "..", empty levels and other ids never match.
 */
export type DeviceDenial = 'topic_denied' | 'too_large' | 'retain_denied';

export function deviceMaySubscribe(clientId: string, topicFilter: string, kind: TerminalKind): boolean {
  // `notices` (updates and cancellations) is an addition to v1
  return (
    topicFilter === `${TOPIC_ROOT}/${clientId}/directives` ||
    topicFilter === `${TOPIC_ROOT}/${clientId}/notices` ||
    (kind === 'radio' && topicFilter === `${TOPIC_ROOT}/${clientId}/radio/${RADIO_CMD_LEAF}`)
  );
}

export function devicePublishDenial(
  clientId: string,
  topic: string,
  payloadBytes: number,
  retain: boolean,
  kind: TerminalKind,
): DeviceDenial | null {
  if (payloadBytes > MAX_DEVICE_PAYLOAD_BYTES) return 'too_large';
  const own = `${TOPIC_ROOT}/${clientId}/`;
  if (topic === `${own}status`) return null;
  if (topic === `${own}acks`) return retain ? 'retain_denied' : null;
  // 零报告 from the device (an addition to v1): a push terminal's key; a radio gateway has none
  if (topic === `${own}${DEVICE_REPORTS_LEAF}`)
    return kind === 'radio' ? 'topic_denied' : retain ? 'retain_denied' : null;
  if (kind === 'radio' && RADIO_DEVICE_LEAVES.some((leaf) => topic === `${own}radio/${leaf}`)) {
    if (payloadBytes > MAX_RADIO_PAYLOAD_BYTES) return 'too_large';
    // a retained COR or join would be replayed, stale, to whoever subscribes next
    return retain ? 'retain_denied' : null;
  }
  return 'topic_denied';
}

/**
 * Splits `yihu/v1/terminals/{id}/{leaf}` and `yihu/v1/terminals/{id}/radio/{leaf}` (leaf
 * `radio/{leaf}`); null for anything else.
 */
export function parseDeviceTopic(topic: string): { terminalId: string; leaf: string } | null {
  if (!topic.startsWith(`${TOPIC_ROOT}/`)) return null;
  const rest = topic.slice(TOPIC_ROOT.length + 1).split('/');
  if (rest.some((level) => !level)) return null;
  if (rest.length === 2) return { terminalId: rest[0]!, leaf: rest[1]! };
  if (rest.length === 3 && rest[1] === 'radio') return { terminalId: rest[0]!, leaf: `radio/${rest[2]!}` };
  return null;
}
