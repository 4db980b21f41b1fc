import type { Logger } from 'pino';
import { Counter, Gauge } from 'prom-client';
import type { RadioTalker } from '#contracts';
import type { Metrics } from '#platform';
import type { FloorChange } from './radio-floor.service.js';
import type { TalkgroupMedia } from './talkgroup-media.js';
import type { TalkgroupRow } from './talkgroups.repository.js';
import { recordingPath, TransmissionRecorder } from './transmission-recorder.js';

/** A talkgroup whose media this instance hosts, and the floor holder it follows. */
export interface Hosted {
  row: TalkgroupRow;
  media: TalkgroupMedia;
  recorder: TransmissionRecorder | null;
  holder: FloorChange['holder'];
}

export interface FollowDeps {
  hosted: Map<string, Hosted>;
  dataDir: string;
  /** bytes of A-law a transmission may record */
  maxBytes: number;
  setBytes(transmissionId: string, bytes: number): Promise<void>;
  logger: Logger;
  count(outcome: string): void;
  /** a patched talkgroup hosted by another instance: its talker's source piped from there */
  remoteRelay(
    hosted: Hosted,
    origin: string,
    talker: RadioTalker,
    producerId?: string,
  ): Promise<string | null>;
}

function sourceIn(hosted: Hosted, talker: RadioTalker): string | null {
  return talker.kind === 'gateway' ? hosted.media.producerOf(talker.id) : hosted.media.systemProducerId;
}

/** A patched talkgroup's talker: its source piped in from that talkgroup's router, here or on its host. */
async function relaySource(
  hosted: Hosted,
  origin: string,
  talker: RadioTalker,
  deps: FollowDeps,
  browserProducerId?: string,
) {
  const from = deps.hosted.get(origin);
  const producerId = from
    ? (browserProducerId ?? sourceIn(from, talker))
    : await deps.remoteRelay(hosted, origin, talker, browserProducerId).catch((err: unknown) => {
        deps.logger.warn({ err, origin }, 'radio patch: no pipe from the other instance');
        return null;
      });
  if (!producerId) {
    deps.count('relay_unavailable');
    return null;
  }
  if (from) await hosted.media.relay(producerId, from.media.router);
  return producerId;
}

/**
 * Makes the media follow `hosted.holder`: the holder's source resumed (and nothing else), the
 * previous transmission's recording closed, the new one's opened.
 */
export async function followHolder(hosted: Hosted, deps: FollowDeps): Promise<void> {
  const h = hosted.holder;
  const source = !h
    ? null
    : h.origin
      ? await relaySource(hosted, h.origin, h.talker, deps, h.producerId)
      : (h.producerId ?? sourceIn(hosted, h.talker));
  // a pipe from another instance takes a bus round trip: a newer floor change may have come
  if (hosted.holder !== h) return;
  if (hosted.recorder && hosted.recorder.transmissionId !== h?.transmissionId) {
    const rec = hosted.recorder;
    hosted.recorder = null;
    void rec
      .close()
      .then(({ bytes }) => deps.setBytes(rec.transmissionId, bytes))
      .catch((err: unknown) => deps.logger.warn({ err }, 'radio recording not closed'));
  }
  if (h && !hosted.recorder)
    hosted.recorder = new TransmissionRecorder(
      h.transmissionId,
      deps.dataDir,
      recordingPath(hosted.row.id, h.transmissionId, hosted.media.codec),
      deps.maxBytes,
      deps.logger,
      hosted.media.codec,
    );
  await hosted.media.setSource(source);
}

/** The hub's metrics: gateway messages by outcome, and the talkgroups and legs hosted here. */
export function radioHubMetrics(metrics: Metrics, hosted: Map<string, Hosted>): Counter<'outcome'> {
  new Gauge({
    name: 'yihu_radio_legs',
    help: 'Radio talkgroups hosted on this instance (talkgroups) and their gateway RTP legs (legs)',
    labelNames: ['what'] as const,
    registers: [metrics.registry],
    collect(this: Gauge<'what'>) {
      this.set({ what: 'talkgroups' }, hosted.size);
      this.set(
        { what: 'legs' },
        [...hosted.values()].reduce((n, h) => n + h.media.legs.size, 0),
      );
    },
  });
  return new Counter({
    name: 'yihu_radio_gateway_events_total',
    help: 'Radio gateway messages by what became of them (joined, ignored_no_talkgroup, refused_codec, ...)',
    labelNames: ['outcome'] as const,
    registers: [metrics.registry],
  });
}
