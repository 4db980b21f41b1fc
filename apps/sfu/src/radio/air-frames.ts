import { RADIO_CODEC_RTP } from '#contracts';
import { DomainError } from '#platform';
import { alawEncode, FRAME_SAMPLES, RtpSender, type FloorHolder } from '#radio';
import type { Hosted } from './hosted-talkgroup.js';

const FRAME_MS = 20;
/** A-law digital silence: what goes out while the frames that follow are still being made */
const SILENT_FRAME = alawEncode(new Int16Array(FRAME_SAMPLES));

/** the refusal of a busy floor, the same wherever the hub's voice asked for it */
export function busyError(talkgroupId: string, by: FloorHolder): DomainError {
  return new DomainError(
    'radio_busy',
    `talkgroup ${talkgroupId} is busy: ${by.talker.name} (${by.talker.kind}) holds the floor at rank ${by.rank}`,
    [{ path: 'floor', message: `${by.talker.kind}:${by.talker.id}:${by.rank}` }],
  );
}

/**
 * Sends A-law frames through the hosted talkgroup's system producer, paced in real time,
 * while `transmissionId` holds its floor, then what `more` resolves to (made while the first
 * frames play; silence while it is late). Waits first (up to 0.5 s) for the host to follow
 * the grant: the floor message goes over the bus, asynchronous even in process. `complete`
 * when every frame went out; `gaveUp` when `more` failed (the floor is still held).
 */
export async function playFrames(
  hosted: Hosted,
  transmissionId: string,
  frames: Buffer[],
  opts: { onSecond?: () => void; more?: () => Promise<Buffer[]> } = {},
): Promise<{ complete: boolean; gaveUp: boolean }> {
  for (let i = 0; i < 50 && hosted.holder?.transmissionId !== transmissionId; i++)
    await new Promise((r) => setTimeout(r, 10));
  const { payloadType } = RADIO_CODEC_RTP.PCMA;
  const rtp = new RtpSender({ ssrc: hosted.media.systemSsrc, payloadType, samplesPerFrame: 160 });
  const more: { frames: Buffer[] | null; failed: boolean } = { frames: null, failed: false };
  let list = frames;
  let at = 0;
  let awaiting = Boolean(opts.more);
  const start = performance.now();
  for (let sent = 0; ; sent++) {
    if (hosted.media.closed || hosted.holder?.transmissionId !== transmissionId)
      return { complete: false, gaveUp: false };
    if (awaiting && at >= list.length) {
      if (more.failed) return { complete: false, gaveUp: true };
      if (more.frames) [list, at, awaiting] = [more.frames, 0, false];
    }
    let frame: Buffer;
    if (at < list.length) frame = list[at++]!;
    else if (awaiting) frame = SILENT_FRAME;
    else return { complete: true, gaveUp: false };
    hosted.media.sendSystem(rtp.next(frame, sent === 0));
    if (sent === 0 && opts.more)
      Promise.resolve()
        .then(opts.more)
        .then(
          (f) => (more.frames = f),
          () => (more.failed = true),
        );
    if (opts.onSecond && sent % 50 === 49) opts.onSecond();
    const wait = start + (sent + 1) * FRAME_MS - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}
