import type { Logger } from 'pino';
import type { RadioTalker } from '#contracts';
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
}

function sourceIn(hosted: Hosted, talker: RadioTalker): string | null {
  return talker.kind === 'gateway' ? hosted.media.producerOf(talker.id) : hosted.media.systemProducerId;
}

/** A patched talkgroup's talker: its source piped in from that talkgroup's router (same instance only). */
async function relaySource(
  hosted: Hosted,
  origin: string,
  talker: RadioTalker,
  deps: FollowDeps,
  browserProducerId?: string,
) {
  const from = deps.hosted.get(origin);
  const producerId = from && (browserProducerId ?? sourceIn(from, talker));
  if (!from || !producerId) {
    deps.count('relay_unavailable');
    return null;
  }
  await hosted.media.relay(producerId, from.media.router);
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
