import type * as mediasoup from 'mediasoup';

export interface SdpStream {
  kind: 'audio' | 'video';
  port: number;
  rtpParameters: mediasoup.types.RtpParameters;
}

/** An SDP that tells ffmpeg where each consumer's RTP arrives (RTCP on the next port). */
export function recordingSdp(streams: SdpStream[]): string {
  const lines = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=yihu recording', 'c=IN IP4 127.0.0.1', 't=0 0'];
  for (const s of streams) {
    const codec = s.rtpParameters.codecs[0]!;
    const name = codec.mimeType.split('/')[1]!;
    const channels = codec.channels && codec.channels > 1 ? `/${codec.channels}` : '';
    lines.push(`m=${s.kind} ${s.port} RTP/AVP ${codec.payloadType}`, `a=rtcp:${s.port + 1}`);
    lines.push(`a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${channels}`);
    const fmtp = Object.entries(codec.parameters ?? {}).map(([k, v]) => `${k}=${String(v)}`);
    if (fmtp.length) lines.push(`a=fmtp:${codec.payloadType} ${fmtp.join(';')}`);
    lines.push('a=recvonly');
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** ffmpeg arguments: every audio stream mixed into one, the one video stream copied as is. */
export function ffmpegArgs(audioCount: number, hasVideo: boolean, file: string): string[] {
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-protocol_whitelist',
    'pipe,udp,rtp',
    '-fflags',
    '+genpts',
    // the SDP already names every codec: a short probe starts the file sooner (less lost on a crash)
    '-analyzeduration',
    '1000000',
    '-f',
    'sdp',
    '-i',
    'pipe:0',
  ];
  if (audioCount === 1) args.push('-map', '0:a:0', '-c:a', 'copy');
  if (audioCount > 1) {
    const inputs = Array.from({ length: audioCount }, (_, i) => `[0:a:${i}]`).join('');
    args.push(
      '-filter_complex',
      `${inputs}amix=inputs=${audioCount}:dropout_transition=0:normalize=0[mix]`,
      '-map',
      '[mix]',
      '-c:a',
      'libopus',
      '-b:a',
      '64k',
    );
  }
  if (hasVideo) args.push('-map', '0:v:0', '-c:v', 'copy');
  args.push('-y', file);
  return args;
}
