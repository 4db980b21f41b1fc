import { RADIO_CODEC_RTP } from '#contracts';
import { DomainError } from '#platform';
import { RtpSender, type FloorHolder } from '#radio';
import type { Hosted } from './hosted-talkgroup.js';

const FRAME_MS = 20;

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
 * while `transmissionId` holds its floor. Waits first (up to 0.5 s) for the host to follow
 * the grant: the floor message goes over the bus, asynchronous even in process. True when
 * every frame went out.
 */
export async function playFrames(
  hosted: Hosted,
  transmissionId: string,
  frames: Buffer[],
  onSecond?: () => void,
): Promise<boolean> {
  for (let i = 0; i < 50 && hosted.holder?.transmissionId !== transmissionId; i++)
    await new Promise((r) => setTimeout(r, 10));
  const { payloadType } = RADIO_CODEC_RTP.PCMA;
  const rtp = new RtpSender({ ssrc: hosted.media.systemSsrc, payloadType, samplesPerFrame: 160 });
  const start = performance.now();
  for (let i = 0; i < frames.length; i++) {
    if (hosted.media.closed || hosted.holder?.transmissionId !== transmissionId) return false;
    hosted.media.sendSystem(rtp.next(frames[i]!, i === 0));
    if (onSecond && i % 50 === 49) onSecond();
    const wait = start + (i + 1) * FRAME_MS - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  return true;
}
