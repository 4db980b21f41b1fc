import type * as mediasoup from 'mediasoup';
import type { SfuConsumerView } from '#contracts';
import { DomainError } from '#platform';
import { media } from './media-call.js';
import type { Peer, ProducerEntry } from './peer.js';

/**
 * The receiving side of one participant: a consumer of another's producer on the peer's own
 * router (the producer was piped there), created paused until the client is ready.
 * `onProducerClosed` tells the peer its consumer went with the producer.
 */
export async function consumeProducer(
  peer: Peer,
  entry: ProducerEntry,
  rtpCapabilities: Record<string, unknown>,
  onProducerClosed: (consumerId: string) => void,
): Promise<SfuConsumerView> {
  const producerId = entry.producer.id;
  if (entry.peerId === peer.id) throw new DomainError('invalid', 'cannot consume your own producer');
  const caps = rtpCapabilities as unknown as mediasoup.types.RtpCapabilities;
  const canConsume = await media('rtpCapabilities', async () =>
    peer.router.canConsume({ producerId, rtpCapabilities: caps }),
  );
  if (!canConsume) throw new DomainError('invalid', 'your rtpCapabilities cannot receive this producer');
  const transport = [...peer.transports.values()].find(
    (t) => (t.appData as { direction: string }).direction === 'recv',
  );
  if (!transport) throw new DomainError('invalid', 'create a recv transport first');
  // paused until the client has set up its side: no keyframe is sent into the void
  const consumer = await media('consume', () =>
    transport.consume({ producerId, rtpCapabilities: caps, paused: true }),
  );
  if (peer.closed) {
    consumer.close();
    throw new DomainError('conflict', 'you left the consultation');
  }
  peer.consumers.set(consumer.id, consumer);
  consumer.on('transportclose', () => peer.consumers.delete(consumer.id));
  consumer.on('producerclose', () => {
    if (peer.consumers.delete(consumer.id)) onProducerClosed(consumer.id);
  });
  return {
    consumerId: consumer.id,
    producerId,
    peerId: entry.peerId,
    kind: consumer.kind,
    source: entry.source,
    rtpParameters: consumer.rtpParameters as unknown as Record<string, unknown>,
  };
}

export async function resumeConsumer(peer: Peer, consumerId: string): Promise<void> {
  const consumer = peer.consumers.get(consumerId);
  if (!consumer) throw new DomainError('not_found', 'no such consumer');
  await media('resume', () => consumer.resume());
  if (consumer.kind === 'video') await consumer.requestKeyFrame().catch(() => undefined);
}

export async function setConsumerLayers(peer: Peer, consumerId: string, spatialLayer: number): Promise<void> {
  const consumer = peer.consumers.get(consumerId);
  if (!consumer || consumer.kind !== 'video') throw new DomainError('not_found', 'no such video consumer');
  await media('layers', () => consumer.setPreferredLayers({ spatialLayer }));
}
