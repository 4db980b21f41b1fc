import type { SfuParticipantStats } from '#contracts';
import type { Peer } from './peer.js';

/**
 * What a moderator's stats view shows per participant: each producer's bitrate, loss and
 * score as the worker measures them, and the sum over what they receive. A stats call that
 * fails (the producer closed meanwhile) counts as no traffic.
 */
export async function participantStats(peers: Iterable<Peer>): Promise<SfuParticipantStats[]> {
  const out: SfuParticipantStats[] = [];
  for (const peer of peers) {
    const producers: SfuParticipantStats['producers'] = [];
    for (const e of peer.producers.values()) {
      const s = (await e.producer.getStats().catch(() => [])) as unknown as Record<string, number>[];
      const sum = (k: string) => s.reduce((n, x) => n + (x[k] ?? 0), 0);
      producers.push({
        producerId: e.producer.id,
        kind: e.producer.kind,
        source: e.source,
        paused: e.producer.paused,
        bitrate: sum('bitrate'),
        // RTCP fraction lost is 0-255; report it as 0..1, the worst layer
        fractionLost: Math.max(0, ...s.map((x) => x.fractionLost ?? 0)) / 256,
        packetsLost: sum('packetsLost'),
        score: e.producer.score[0]?.score ?? null,
      });
    }
    let bitrate = 0;
    let lost = 0;
    for (const c of peer.consumers.values()) {
      const s = (await c.getStats().catch(() => [])) as unknown as {
        type: string;
        bitrate?: number;
        fractionLost?: number;
      }[];
      const outbound = s.find((x) => x.type === 'outbound-rtp');
      bitrate += outbound?.bitrate ?? 0;
      lost = Math.max(lost, (outbound?.fractionLost ?? 0) / 256);
    }
    out.push({
      peerId: peer.id,
      userId: peer.view.userId,
      siteId: peer.view.siteId,
      producers,
      consumers: { count: peer.consumers.size, bitrate, fractionLost: lost },
    });
  }
  return out;
}
