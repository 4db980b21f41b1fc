import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** the packets of an Ogg stream, whatever its paging (a packet ends at a lacing value below 255) */
export function oggPackets(buf: Buffer): Buffer[] {
  const packets: Buffer[] = [];
  let part: Buffer[] = [];
  for (let at = 0; at < buf.length;) {
    const n = buf[at + 26]!;
    let body = at + 27 + n;
    for (const lace of buf.subarray(at + 27, at + 27 + n)) {
      part.push(buf.subarray(body, body + lace));
      body += lace;
      if (lace < 255) {
        packets.push(Buffer.concat(part));
        part = [];
      }
    }
    at = body;
  }
  return packets;
}

/** Opus packets of a tone, 20 ms each, encoded by ffmpeg (libopus): what a gateway would send */
export function opusTonePackets(frequency: number, seconds: number): Buffer[] {
  const dir = mkdtempSync(join(tmpdir(), 'yihu-opus-'));
  try {
    const file = join(dir, 'tone.opus');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=${frequency}:sample_rate=48000:duration=${seconds}`,
      '-ac',
      '1',
      '-c:a',
      'libopus',
      '-b:a',
      '24k',
      '-frame_duration',
      '20',
      file,
    ]);
    return oggPackets(readFileSync(file)).slice(2); // after OpusHead and OpusTags
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 48 kHz mono samples that ffmpeg decodes from an Ogg Opus file (or any file it reads) */
export function decodeWithFfmpeg(file: string): Int16Array {
  const raw = execFileSync(
    'ffmpeg',
    ['-v', 'error', '-i', file, '-f', 's16le', '-ac', '1', '-ar', '48000', '-'],
    {
      maxBuffer: 64 << 20,
    },
  );
  return new Int16Array(raw.buffer, raw.byteOffset, raw.length / 2);
}
