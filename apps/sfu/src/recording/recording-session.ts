import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type * as mediasoup from 'mediasoup';
import type { Logger } from 'pino';
import { plainTransportOptions } from '../room/media-options.js';
import type { Room } from '../room/room.js';
import { clearRunning, noteRunning } from './orphans.js';
import { ffmpegArgs, recordingSdp, type SdpStream } from './sdp.js';
import { udpListening } from './udp-listening.js';

/** Fake and real microphones alike make the active speaker flap: a segment lasts at least this long. */
const MIN_SEGMENT_MS = 5000;
const DEBOUNCE_MS = 1500;

interface Segment {
  proc: ChildProcess;
  transports: mediasoup.types.PlainTransport[];
  file: string;
  key: string;
  startedAt: number;
  stderr: string;
  exited: Promise<number | null>;
}

/** A UDP port pair (RTP, RTCP) free right now, for ffmpeg to listen on. */
async function freePortPair(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const a = createSocket('udp4');
    await new Promise<void>((r) => a.bind(0, '127.0.0.1', r));
    const port = a.address().port;
    const b = createSocket('udp4');
    const ok = await new Promise<boolean>((r) => {
      b.once('error', () => r(false));
      b.bind(port + 1, '127.0.0.1', () => r(true));
    });
    a.close();
    if (ok) b.close();
    if (ok && port % 2 === 0) return port;
  }
  throw new Error('no free UDP port pair for the recorder');
}

/**
 * Records one room: the mixed audio of every unmuted microphone and the active speaker's
 * video, through PlainTransports into ffmpeg. ffmpeg cannot add inputs while running, so a
 * new file (segment) starts whenever the set of sources changes; the files are in order.
 */
export class RecordingSession {
  private segment: Segment | null = null;
  private timer: NodeJS.Timeout | null = null;
  private index = 0;
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    readonly recordingId: string,
    private readonly room: Room,
    private readonly dataDir: string,
    private readonly ffmpeg: string,
    private readonly logger: Logger,
    private readonly onFile: (relativePath: string) => Promise<void>,
  ) {}

  /** Sources right now: audio producers that are not paused, and the active speaker's video. */
  private sources(): { audio: string[]; video: string | null } {
    const entries = [...this.room.producers.values()].filter((e) => !e.producer.paused && !e.producer.closed);
    const audio = entries
      .filter((e) => e.producer.kind === 'audio')
      .map((e) => e.producer.id)
      .sort();
    const videos = entries.filter((e) => e.producer.kind === 'video');
    const speaker = this.room.activeSpeakerPeerId ?? this.room.floorPeerId;
    const pick = (peerId: string | null) =>
      videos.find((e) => e.peerId === peerId && e.source === 'screen') ??
      videos.find((e) => e.peerId === peerId);
    const video = pick(speaker) ?? videos[0];
    return { audio, video: video?.producer.id ?? null };
  }

  private key(): string {
    const s = this.sources();
    return `${s.audio.join(',')}|${s.video ?? ''}`;
  }

  start(): Promise<void> {
    return this.enqueue(() => this.rotate());
  }

  /** The room's media changed: start a new segment once things settle. */
  changed(): void {
    if (this.stopped || this.key() === this.segment?.key) return;
    if (this.timer) clearTimeout(this.timer);
    const since = this.segment ? Date.now() - this.segment.startedAt : MIN_SEGMENT_MS;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        if (this.key() !== this.segment?.key) void this.enqueue(() => this.rotate());
      },
      Math.max(DEBOUNCE_MS, MIN_SEGMENT_MS - since),
    );
    this.timer.unref();
  }

  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    return this.enqueue(() => this.finish());
  }

  private enqueue(fn: () => Promise<void>): Promise<void> {
    this.queue = this.queue
      .then(fn)
      .catch((err: unknown) =>
        this.logger.error({ err, recordingId: this.recordingId }, 'recording segment failed'),
      );
    return this.queue;
  }

  private async rotate(): Promise<void> {
    await this.finish();
    if (this.stopped || this.room.closed) return;
    const { audio, video } = this.sources();
    if (!audio.length && !video) return;
    const router = this.room.primaryRouter;
    const transports: mediasoup.types.PlainTransport[] = [];
    const consumers: mediasoup.types.Consumer[] = [];
    const streams: SdpStream[] = [];
    try {
      for (const producerId of [...audio, ...(video ? [video] : [])]) {
        const transport = await router.createPlainTransport(plainTransportOptions());
        transports.push(transport);
        const port = await freePortPair();
        await transport.connect({ ip: '127.0.0.1', port, rtcpPort: port + 1 });
        const consumer = await transport.consume({
          producerId,
          rtpCapabilities: router.rtpCapabilities,
          paused: true,
        });
        // a simulcast camera: the middle layer is plenty for the record and spares the CPU
        if (consumer.kind === 'video')
          await consumer.setPreferredLayers({ spatialLayer: 1 }).catch(() => undefined);
        consumers.push(consumer);
        streams.push({ kind: consumer.kind, port, rtpParameters: consumer.rtpParameters });
      }
    } catch (err) {
      transports.forEach((t) => t.close());
      throw err;
    }
    const videoCodec = streams
      .find((s) => s.kind === 'video')
      ?.rtpParameters.codecs[0]?.mimeType.toLowerCase();
    const ext = !videoCodec || videoCodec === 'video/vp8' ? 'webm' : 'mkv';
    const dir = join(this.dataDir, 'recordings', this.room.consultationId);
    mkdirSync(dir, { recursive: true });
    this.index += 1;
    const file = join(dir, `${this.recordingId}-${String(this.index).padStart(3, '0')}.${ext}`);
    const proc = spawn(this.ffmpeg, ffmpegArgs(audio.length, Boolean(video), file), {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    const segment: Segment = {
      proc,
      transports,
      file,
      key: this.key(),
      startedAt: Date.now(),
      stderr: '',
      exited: new Promise((r) => proc.once('exit', r)),
    };
    proc.once('error', (err) => (segment.stderr += err.message));
    proc.stderr!.on('data', (d: Buffer) => (segment.stderr = (segment.stderr + d.toString()).slice(-2000)));
    proc.stdin!.end(recordingSdp(streams));
    if (proc.pid)
      noteRunning(this.dataDir, proc.pid, {
        recordingId: this.recordingId,
        file: relative(this.dataDir, file),
      });
    this.segment = segment;
    // ffmpeg binds its ports after reading the SDP; the flow starts once it listens. A fixed
    // 0.7 s was too short on a loaded machine: the first key frame went nowhere and a short
    // recording ended with no file.
    const ready = await udpListening(
      streams.map((st) => st.port),
      5000,
    );
    if (!ready)
      this.logger.warn(
        { recordingId: this.recordingId },
        'recorder ports not seen bound (5 s, or no /proc); sending anyway',
      );
    for (const c of consumers) {
      await c.resume();
      if (c.kind === 'video') await c.requestKeyFrame();
    }
    // and again, in case the first was lost (each costs the sender one key frame)
    for (const delayMs of [1000, 3000])
      setTimeout(
        () =>
          consumers.forEach(
            (c) => c.kind === 'video' && !c.closed && void c.requestKeyFrame().catch(() => undefined),
          ),
        delayMs,
      ).unref();
  }

  private async finish(): Promise<void> {
    const seg = this.segment;
    if (!seg) return;
    this.segment = null;
    if (seg.proc.exitCode === null) seg.proc.kill('SIGINT');
    const timer = setTimeout(() => seg.proc.kill('SIGKILL'), 5000);
    const code = await seg.exited;
    clearTimeout(timer);
    seg.transports.forEach((t) => t.close());
    if (seg.proc.pid) clearRunning(this.dataDir, seg.proc.pid);
    if (existsSync(seg.file) && statSync(seg.file).size > 0) {
      await this.onFile(relative(this.dataDir, seg.file));
    } else {
      this.logger.warn(
        { recordingId: this.recordingId, code, ffmpeg: seg.stderr.trim().slice(-500) },
        'recording segment produced no file',
      );
    }
  }
}
